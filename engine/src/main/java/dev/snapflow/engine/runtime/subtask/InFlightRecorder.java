package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.runtime.channel.InFlightCodec;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.serialization.event.CheckpointBarrier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The in-flight data of the unaligned checkpoint a subtask is taking (one at a time, as in
 * Flink): its operator snapshot is taken, and it completes once the input side and every output
 * channel have said what was in flight.
 *
 * <ul>
 *   <li>Input, per input channel: the data queued unprocessed when the checkpoint started, and what
 *   arrives on a channel after that until the channel's barrier does.</li>
 *   <li>Output, per output channel: the data the barrier overtook in the channel's queue (reported
 *   by the channel) followed by the data it overtook while parked here, in channel order.</li>
 * </ul>
 * Batches are serialized as they are recorded ({@link InFlightCodec}): once delivered, a record is
 * its consumer's, who may change it, so the checkpoint must not hold it by reference. A record
 * that cannot be serialized fails the subtask with an error naming its type. Actor-confined.
 */
final class InFlightRecorder {

    /** A completed unaligned snapshot, ready to be serialized and written. */
    record Completed(CheckpointBarrier barrier, Map<String, Callable<byte[]>> operatorParts,
                     Map<String, byte[]> inFlight, long alignmentNanos, long startDelayMillis, long syncNanos) {
    }

    private final InFlightCodec codec;
    /** Names the parts by channel identity ({@link dev.snapflow.engine.state.InFlightPart}). */
    private final InFlightChannels channels;

    InFlightRecorder(InFlightCodec codec, InFlightChannels channels) {
        this.codec = codec;
        this.channels = channels;
    }

    private byte[] encode(RecordBatch batch) {
        try {
            return codec.encode(batch);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private List<byte[]> encode(List<RecordBatch> batches) {
        List<byte[]> chunks = new ArrayList<>(batches.size());
        for (RecordBatch batch : batches) {
            chunks.add(encode(batch));
        }
        return chunks;
    }

    private CheckpointBarrier barrier;
    private Map<String, Callable<byte[]>> operatorParts;
    private long alignmentNanos;
    private long startDelayMillis;
    private long syncNanos;
    /** Per input channel, the chunks of its in-flight data. */
    private List<List<byte[]>> input;
    private final BitSet persisting = new BitSet();
    private boolean inputComplete;
    /** By {@code <edge>/<target>}: what the channel reported, then what was parked here. */
    private final Map<InFlightChannels.Output, byte[]> channelOvertaken = new LinkedHashMap<>();
    private final Map<InFlightChannels.Output, List<byte[]>> parkedOvertaken = new LinkedHashMap<>();
    private int outputsExpected;

    /** True while an unaligned checkpoint is being recorded. */
    boolean isActive() {
        return barrier != null;
    }

    CheckpointBarrier barrier() {
        return barrier;
    }

    long checkpointId() {
        return barrier == null ? -1 : barrier.id();
    }

    /**
     * Starts recording checkpoint {@code barrier.id()}, whose operator snapshot was just taken.
     *
     * @param inputChannels the subtask's input channels, or 0 when it reads no more input (a source,
     *                      or its input ended): the input side is then complete at once
     * @param parkedByEdge  per output edge id, per channel, the data batches the barrier overtook
     *                      while parked in the writer; empty when the output has ended
     */
    void begin(CheckpointBarrier barrier, Map<String, Callable<byte[]>> operatorParts, long alignmentNanos,
               long startDelayMillis, long syncNanos, int inputChannels, Map<Integer, List<List<RecordBatch>>> parkedByEdge) {
        this.barrier = barrier;
        this.alignmentNanos = alignmentNanos;
        this.operatorParts = operatorParts;
        this.startDelayMillis = startDelayMillis;
        this.syncNanos = syncNanos;
        this.input = new ArrayList<>(inputChannels);
        for (int channel = 0; channel < inputChannels; channel++) {
            input.add(new ArrayList<>());
        }
        persisting.clear();
        inputComplete = inputChannels == 0;
        channelOvertaken.clear();
        parkedOvertaken.clear();
        outputsExpected = 0;
        parkedByEdge.forEach((edge, byTarget) -> {
            for (int target = 0; target < byTarget.size(); target++) {
                parkedOvertaken.put(new InFlightChannels.Output(edge, target), new ArrayList<>(encode(byTarget.get(target))));
                outputsExpected++;
            }
        });
    }

    /**
     * The input side starts: {@code queued} (per channel, the data queued unprocessed now) is
     * in flight, and so is what arrives on {@code channelsUntilBarrier} until their barriers.
     */
    void startInput(long checkpointId, List<List<RecordBatch>> queued, List<Integer> channelsUntilBarrier) {
        if (checkpointId != checkpointId()) {
            return;
        }
        for (int channel = 0; channel < queued.size(); channel++) {
            input.get(channel).addAll(encode(queued.get(channel)));
        }
        channelsUntilBarrier.forEach(persisting::set);
    }

    boolean isPersisting(int channel) {
        return persisting.get(channel);
    }

    /** A data batch arrived on a channel whose barrier has not: it is in flight. */
    void persist(int channel, RecordBatch batch) {
        input.get(channel).add(encode(batch));
    }

    void stopPersisting(int channel) {
        persisting.clear(channel);
    }

    void inputComplete(long checkpointId) {
        if (checkpointId == checkpointId()) {
            persisting.clear();
            inputComplete = true;
        }
    }

    /** An output channel reported what the barrier of {@code checkpointId} overtook in its queue, serialized. */
    void outputCaptured(int edgeId, int target, long checkpointId, byte[] overtaken) {
        if (checkpointId == checkpointId()) {
            channelOvertaken.put(new InFlightChannels.Output(edgeId, target), overtaken);
        }
    }

    /** The output channels that have not reported yet. */
    List<InFlightChannels.Output> unreportedOutputs() {
        return parkedOvertaken.keySet().stream().filter(key -> !channelOvertaken.containsKey(key)).toList();
    }

    /** A timed-out barrier left the writer's parked data of {@code output}: what was in front of it. */
    void addParkedOvertaken(InFlightChannels.Output output, List<RecordBatch> batches) {
        parkedOvertaken.get(output).addAll(encode(batches));
    }

    /** Gives up the checkpoint being recorded if it is {@code checkpointId}. */
    void abort(long checkpointId) {
        if (barrier != null && barrier.id() == checkpointId) {
            clear();
        }
    }

    /** The recorded checkpoint once both sides are complete (and stops recording it); empty before. */
    Optional<Completed> takeIfComplete() {
        if (barrier == null || !inputComplete || channelOvertaken.size() < outputsExpected) {
            return Optional.empty();
        }
        Map<String, byte[]> inFlight = new LinkedHashMap<>();
        for (int channel = 0; channel < input.size(); channel++) {
            if (!input.get(channel).isEmpty()) {
                inFlight.put(channels.inputPart(channel), InFlightCodec.join(input.get(channel)));
            }
        }
        parkedOvertaken.forEach((key, parked) -> {
            List<byte[]> output = new ArrayList<>();
            output.add(channelOvertaken.get(key));
            output.addAll(parked);
            byte[] joined = InFlightCodec.join(output);
            if (joined.length > 0) {
                inFlight.put(channels.outputPart(key.edgeId(), key.target()), joined);
            }
        });
        Completed completed = new Completed(barrier, operatorParts, inFlight, alignmentNanos, startDelayMillis, syncNanos);
        clear();
        return Optional.of(completed);
    }

    private void clear() {
        barrier = null;
        operatorParts = null;
        input = null;
        persisting.clear();
        channelOvertaken.clear();
        parkedOvertaken.clear();
    }
}
