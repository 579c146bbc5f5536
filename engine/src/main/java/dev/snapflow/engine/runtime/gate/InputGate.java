package dev.snapflow.engine.runtime.gate;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.List;

/**
 * Merges the items delivered by a consumer's channels into one sequence: each channel's items
 * stay in order, and channels with data take turns item by item, so that no channel starves
 * another. It remembers which channels have ended. Actor-confined.
 *
 * @param <T> the item type (channel items in the runtime, anything in tests)
 */
public final class InputGate<T> {

    private final ArrayDeque<T>[] queues;
    /** Channels with queued items, each at most once, in turn order. */
    private final ArrayDeque<Integer> channelsWithData = new ArrayDeque<>();
    private final BitSet ended;
    /** Channels the barrier handler blocked: they keep their items but get no turn until resumed. */
    private final BitSet blocked;

    @SuppressWarnings({"unchecked", "rawtypes"})
    public InputGate(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("A gate needs at least one channel, had " + channels);
        }
        this.queues = new ArrayDeque[channels];
        for (int i = 0; i < channels; i++) {
            queues[i] = new ArrayDeque<>();
        }
        this.ended = new BitSet(channels);
        this.blocked = new BitSet(channels);
    }

    public int numberOfChannels() {
        return queues.length;
    }

    /** Queues items that channel {@code channel} delivered, in their order. */
    public void onDelivered(int channel, List<? extends T> items) {
        if (items.isEmpty()) {
            return;
        }
        if (queues[channel].isEmpty() && !blocked.get(channel)) {
            channelsWithData.addLast(channel);
        }
        queues[channel].addAll(items);
    }

    /** The items queued on {@code channel} now, in order (a copy): what it delivered and nobody took yet. */
    public List<T> queued(int channel) {
        return List.copyOf(queues[channel]);
    }

    /** Takes {@code item} (compared by identity) out of {@code channel}'s queue; the rest keep their order. */
    public void remove(int channel, T item) {
        if (queues[channel].removeIf(queued -> queued == item) && queues[channel].isEmpty()) {
            channelsWithData.remove(channel);
        }
    }

    /** The channel whose turn it is, or -1 if no channel has items. */
    public int nextChannel() {
        Integer channel = channelsWithData.peekFirst();
        return channel == null ? -1 : channel;
    }

    /** Takes the next item of {@link #nextChannel()}; that channel moves to the back of the turn order. */
    public T take(int channel) {
        if (nextChannel() != channel) {
            throw new IllegalStateException("It is channel " + nextChannel() + "'s turn, not " + channel + "'s");
        }
        channelsWithData.pollFirst();
        T item = queues[channel].pollFirst();
        if (!queues[channel].isEmpty()) {
            channelsWithData.addLast(channel);
        }
        return item;
    }

    /** Takes {@code channel} out of the turn order; its items wait, in order, until {@link #resume}. */
    public void block(int channel) {
        if (!blocked.get(channel)) {
            blocked.set(channel);
            channelsWithData.remove(channel);
        }
    }

    /** Gives a blocked channel turns again. */
    public void resume(int channel) {
        if (blocked.get(channel)) {
            blocked.clear(channel);
            if (!queues[channel].isEmpty()) {
                channelsWithData.addLast(channel);
            }
        }
    }

    public boolean isBlocked(int channel) {
        return blocked.get(channel);
    }

    /** Records that {@code channel} delivered its end of partition; true once every channel has. */
    public boolean markEnded(int channel) {
        ended.set(channel);
        return isFinished();
    }

    public boolean isFinished() {
        return ended.cardinality() == queues.length;
    }

    public boolean hasEnded(int channel) {
        return ended.get(channel);
    }
}
