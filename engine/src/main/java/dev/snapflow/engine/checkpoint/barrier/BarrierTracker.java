package dev.snapflow.engine.checkpoint.barrier;

import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.serialization.event.CheckpointBarrier;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * At-least-once alignment (Flink's {@code CheckpointBarrierTracker}): channels are never blocked;
 * a checkpoint triggers once its barrier arrived on every open channel. Several checkpoints may be
 * in flight at once, so inputs with different latencies do not kill each other's checkpoints
 * (rule B7); when one completes, older incomplete ones are dropped silently. At most
 * {@value #MAX_TRACKED} checkpoints are tracked. Actor-confined.
 */
public final class BarrierTracker implements CheckpointBarrierHandler {

    /** Flink's bound on tracked checkpoints: the oldest is forgotten beyond it. */
    static final int MAX_TRACKED = 50;

    /** A checkpoint whose barriers are being counted. */
    private static final class Pending {
        final long id;
        final CheckpointBarrier barrier;
        final BitSet channels = new BitSet();
        final int target;
        final long startNanos;
        final long startDelayMillis;
        boolean aborted;

        Pending(long id, CheckpointBarrier barrier, int target, long startNanos, long startDelayMillis) {
            this.id = id;
            this.barrier = barrier;
            this.target = target;
            this.startNanos = startNanos;
            this.startDelayMillis = startDelayMillis;
        }

        boolean isComplete() {
            return channels.cardinality() >= target;
        }
    }

    private final boolean checkpointsAfterInputsEnd;
    private final LongSupplier nanoClock;
    private final LongSupplier wallClockMillis;
    /** Pending checkpoints, oldest first, ids increasing. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** The newest checkpoint id seen; -1 before any. Older new ids can never complete. */
    private long latestId = -1;
    private int openChannels;

    public BarrierTracker(int channels, boolean checkpointsAfterInputsEnd, LongSupplier nanoClock, LongSupplier wallClockMillis) {
        if (channels < 1) {
            throw new IllegalArgumentException("A tracker needs at least one channel, had " + channels);
        }
        this.openChannels = channels;
        this.checkpointsAfterInputsEnd = checkpointsAfterInputsEnd;
        this.nanoClock = nanoClock;
        this.wallClockMillis = wallClockMillis;
    }

    @Override
    public List<BarrierAction> onBarrier(int channel, CheckpointBarrier barrier) {
        List<BarrierAction> actions = new ArrayList<>(1);
        long id = barrier.id();
        Pending entry = find(id);
        if (entry != null) {
            entry.channels.set(channel);
            if (entry.isComplete()) {
                complete(entry, actions);
            }
        } else if (id > latestId) {
            latestId = id;
            Pending started = new Pending(id, barrier, openChannels, nanoClock.getAsLong(),
                    Math.max(0, wallClockMillis.getAsLong() - barrier.timestamp()));
            started.channels.set(channel);
            if (started.isComplete()) {
                // One open channel: it triggers at once, and every older pending checkpoint is subsumed.
                pending.clear();
                actions.add(new BarrierAction.TriggerCheckpoint(barrier, 0, started.startDelayMillis));
            } else {
                pending.addLast(started);
                if (pending.size() > MAX_TRACKED) {
                    pending.pollFirst();
                }
            }
        }
        return actions;
    }

    @Override
    public List<BarrierAction> onCancellationMarker(int channel, long checkpointId) {
        List<BarrierAction> actions = new ArrayList<>(1);
        // Older pending checkpoints cannot complete any more: abort each once.
        while (!pending.isEmpty() && pending.peekFirst().id < checkpointId) {
            Pending older = pending.pollFirst();
            if (!older.aborted) {
                actions.add(abort(older.id, CheckpointFailureReason.CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER));
            }
        }
        Pending entry = pending.peekFirst();
        if (entry != null && entry.id == checkpointId) {
            if (!entry.aborted) {
                entry.aborted = true;
                actions.add(abort(checkpointId, CheckpointFailureReason.CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER));
            }
            // Keep counting so that the entry goes once every channel has spoken.
            entry.channels.set(channel);
            if (entry.isComplete()) {
                pending.pollFirst();
            }
        } else if (checkpointId > latestId) {
            latestId = checkpointId;
            actions.add(abort(checkpointId, CheckpointFailureReason.CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER));
            Pending marker = new Pending(checkpointId, null, openChannels, 0, 0);
            marker.aborted = true;
            marker.channels.set(channel);
            if (!marker.isComplete()) {
                pending.addFirst(marker);
            }
        }
        return actions;
    }

    @Override
    public List<BarrierAction> onEndOfPartition(int channel) {
        List<BarrierAction> actions = new ArrayList<>(1);
        openChannels--;
        if (!checkpointsAfterInputsEnd) {
            while (!pending.isEmpty()) {
                Pending entry = pending.pollFirst();
                if (!entry.aborted) {
                    actions.add(abort(entry.id, CheckpointFailureReason.CHECKPOINT_DECLINED_INPUT_END_OF_STREAM));
                }
            }
            return actions;
        }
        // The ended channel counts as aligned for every pending checkpoint; the newest one that
        // thereby completes triggers, and it drops the older ones.
        Pending newestComplete = null;
        for (Pending entry : pending) {
            entry.channels.set(channel);
            if (entry.isComplete()) {
                newestComplete = entry;
            }
        }
        if (newestComplete != null) {
            complete(newestComplete, actions);
        }
        return actions;
    }

    @Override
    public Set<Integer> blockedChannels() {
        return Set.of();
    }

    /** Removes {@code entry} and every older entry; triggers it unless it was aborted. */
    private void complete(Pending entry, List<BarrierAction> actions) {
        Iterator<Pending> it = pending.iterator();
        while (it.hasNext()) {
            Pending next = it.next();
            it.remove();
            if (next == entry) {
                break;
            }
        }
        if (!entry.aborted) {
            actions.add(new BarrierAction.TriggerCheckpoint(entry.barrier, nanoClock.getAsLong() - entry.startNanos,
                    entry.startDelayMillis));
        }
    }

    private Pending find(long id) {
        for (Pending entry : pending) {
            if (entry.id == id) {
                return entry;
            }
        }
        return null;
    }

    private static BarrierAction abort(long id, CheckpointFailureReason reason) {
        return new BarrierAction.AbortCheckpoint(id, reason);
    }
}
