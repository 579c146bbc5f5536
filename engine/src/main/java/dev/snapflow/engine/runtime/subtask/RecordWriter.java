package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.runtime.channel.ChannelItem;
import dev.snapflow.engine.runtime.channel.EventItem;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.Event;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one producer subtask's records of one network edge: it picks each record's channel,
 * appends the record to that channel's open batch, and sends full batches while the channel has
 * free slots (C5). A batch without a slot, and anything behind it, is parked in order until the
 * channel releases slots (C6); while anything is parked, {@link OutputPressure} tells the subtask
 * to stop reading input. Actor-confined.
 *
 * <p>The per-record work is one channel selection and one array store; objects are allocated per
 * batch, never per record.
 */
final class RecordWriter implements Collector<Object> {

    /** How a writer hands items to its channels; the actor implements it with channel refs. */
    @FunctionalInterface
    interface ChannelPort {
        void push(int edgeId, int target, ChannelItem item);
    }

    /** One channel's side of the writer. */
    private static final class Output {
        final int target;
        Object[] batch;
        int size;
        /** Batches this producer may still push into the channel, {@code 0..capacity}. */
        int slots;
        /** Items waiting for a slot, in channel order; non-empty means blocked. */
        final ArrayDeque<ChannelItem> parked = new ArrayDeque<>();
        /** Whether this output is counted in {@link OutputPressure}: exactly when {@code parked} is non-empty. */
        boolean blocked;

        Output(int target, int batchSize, int slots) {
            this.target = target;
            this.batch = new Object[batchSize];
            this.slots = slots;
        }

        int batchSize() {
            return batch.length;
        }
    }

    private final int edgeId;
    private final String producerName;
    private final ChannelSelector selector;
    private final Output[] outputs;
    private final ChannelPort port;
    private final OutputPressure pressure;
    private long recordsOut;

    /**
     * @param selector the channel selector, or null for broadcast
     * @param capacity each channel's capacity in batches: the producer's initial slots
     */
    RecordWriter(int edgeId, String producerName, ChannelSelector selector, int channels, int batchSize, int capacity,
                 ChannelPort port, OutputPressure pressure) {
        this.edgeId = edgeId;
        this.producerName = producerName;
        this.selector = selector;
        this.port = port;
        this.pressure = pressure;
        this.outputs = new Output[channels];
        for (int i = 0; i < channels; i++) {
            outputs[i] = new Output(i, batchSize, capacity);
        }
    }

    @Override
    public void collect(Object record) {
        if (record == null) {
            throw new UserFunctionException(producerName, new NullPointerException("Records must not be null"));
        }
        if (selector == null) {
            for (Output output : outputs) {
                append(output, record);
            }
            return;
        }
        int channel;
        try {
            channel = selector.select(record);
        } catch (Exception e) {
            throw new UserFunctionException(producerName, e);
        }
        append(outputs[channel], record);
    }

    private void append(Output output, Object record) {
        output.batch[output.size++] = record;
        recordsOut++;
        if (output.size == output.batch.length) {
            closeBatch(output);
        }
    }

    /**
     * Batches of {@code batchSize} records to channel {@code target} from now on: larger for a
     * channel whose consumer is on another node. Called before any record is written.
     */
    void useBatchSize(int target, int batchSize) {
        Output output = outputs[target];
        if (output.size != 0) {
            throw new IllegalStateException("Channel " + target + " has records in its open batch already");
        }
        output.batch = new Object[batchSize];
    }

    /** Sends or parks every open batch, for the flush timeout. */
    void flush() {
        for (Output output : outputs) {
            closeBatch(output);
        }
    }

    /** Flushes, then appends {@code event} to every channel behind the data (C3). */
    void emitEvent(Event event) {
        for (Output output : outputs) {
            closeBatch(output);
            enqueue(output, new EventItem(event, false));
        }
    }

    /**
     * Sends {@code barrier} ahead of everything waiting (an unaligned barrier, C7): open batches
     * are closed first, and the data batches parked here, which the barrier overtakes, are returned
     * per channel (oldest first); they are still sent later. Each channel reports what it overtook
     * in its own queue with {@code InFlightCaptured}.
     */
    List<List<RecordBatch>> emitPriorityBarrier(CheckpointBarrier barrier) {
        List<List<RecordBatch>> parked = new ArrayList<>(outputs.length);
        EventItem item = new EventItem(barrier, true);
        for (Output output : outputs) {
            closeBatch(output);
            List<RecordBatch> overtaken = new ArrayList<>();
            for (ChannelItem waiting : output.parked) {
                if (waiting instanceof RecordBatch batch) {
                    overtaken.add(batch);
                }
            }
            parked.add(overtaken);
            port.push(edgeId, output.target, item);
        }
        return parked;
    }

    /**
     * The aligned barrier of {@code unaligned}'s checkpoint timed out on channel {@code target}:
     * if it still waits here, it is taken out and the data parked in front of it is returned; then
     * {@code unaligned} is sent ahead of everything (the channel replaces its queued copy, if any,
     * and reports what it overtook there).
     */
    List<RecordBatch> convertBarrier(int target, CheckpointBarrier unaligned) {
        Output output = outputs[target];
        List<RecordBatch> before = new ArrayList<>();
        boolean found = false;
        java.util.Iterator<ChannelItem> it = output.parked.iterator();
        while (it.hasNext()) {
            ChannelItem item = it.next();
            if (item instanceof RecordBatch batch) {
                before.add(batch);
            } else if (item instanceof EventItem event && event.event() instanceof CheckpointBarrier barrier
                    && barrier.id() == unaligned.id()) {
                it.remove();
                found = true;
                break;
            }
        }
        port.push(edgeId, target, new EventItem(unaligned, true));
        updatePressure(output);
        return found ? before : List.of();
    }

    /** Sends the in-flight output restored for channel {@code target} before anything else, as ordinary batches. */
    void replay(int target, List<RecordBatch> batches) {
        for (RecordBatch batch : batches) {
            enqueue(outputs[target], batch);
        }
    }

    int channels() {
        return outputs.length;
    }

    int edgeId() {
        return edgeId;
    }

    /** Channel {@code target} released {@code count} slots (C6): send what was parked. */
    void onReleased(int target, int count) {
        Output output = outputs[target];
        output.slots += count;
        send(output);
        updatePressure(output);
    }

    boolean hasParkedItems() {
        for (Output output : outputs) {
            if (!output.parked.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    long recordsOut() {
        return recordsOut;
    }

    private void closeBatch(Output output) {
        if (output.size == 0) {
            return;
        }
        RecordBatch batch = new RecordBatch(output.batch, output.size);
        output.batch = new Object[output.batchSize()];
        output.size = 0;
        enqueue(output, batch);
    }

    private void enqueue(Output output, ChannelItem item) {
        output.parked.addLast(item);
        if (output.parked.size() == 1) {
            send(output);
        }
        updatePressure(output);
    }

    /** Pushes parked items in order: events freely, batches while slots last. */
    private void send(Output output) {
        while (!output.parked.isEmpty()) {
            ChannelItem head = output.parked.peekFirst();
            if (head.isData()) {
                if (output.slots == 0) {
                    return;
                }
                output.slots--;
            }
            output.parked.pollFirst();
            port.push(edgeId, output.target, head);
        }
    }

    private void updatePressure(Output output) {
        boolean blocked = !output.parked.isEmpty();
        if (blocked != output.blocked) {
            output.blocked = blocked;
            if (blocked) {
                pressure.channelBlocked();
            } else {
                pressure.channelUnblocked();
            }
        }
    }
}
