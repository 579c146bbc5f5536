package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.engine.checkpoint.barrier.BarrierAction;
import dev.snapflow.engine.checkpoint.barrier.CheckpointBarrierHandler;
import dev.snapflow.engine.runtime.channel.ChannelItem;
import dev.snapflow.engine.runtime.channel.EventItem;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.engine.runtime.gate.InputGate;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.serialization.event.CancelCheckpointMarker;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.EndOfPartitionEvent;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * One subtask's side of checkpoints (Flink's {@code SubtaskCheckpointCoordinatorImpl} with the
 * checkpointed part of its input gate): it feeds barriers, cancellation markers and ends of
 * partition to the barrier handler and carries out what it decides (block or resume a channel,
 * snapshot, record in-flight input, abort), takes the snapshot of each kind (aligned, unaligned,
 * aligned that may turn unaligned), suspends a source for a savepoint that stops the job, and hands
 * finished snapshots to its {@link CheckpointPort}. Actor-confined.
 */
final class SubtaskCheckpointer {

    /** Where the subtask's part of a checkpoint goes; the actor writes it and tells the coordinator. */
    interface CheckpointPort {
        /**
         * The synchronous part of the snapshot is taken (and the barrier forwarded): complete
         * {@code state} (it may serialize), write it and acknowledge, off the subtask's thread.
         */
        void snapshotTaken(CheckpointBarrier barrier, Callable<SubtaskState> state, long alignmentNanos,
                           long startDelayMillis, long syncNanos);

        /** This subtask gives up checkpoint {@code checkpointId}. */
        void declined(long checkpointId, CheckpointFailureReason reason);

        /** Call {@link SubtaskCheckpointer#onCheckpointTimeout(long)} after {@code delayMillis}. */
        void scheduleTimeout(long checkpointId, long delayMillis);
    }

    /** What the checkpointer needs to know of the subtask's input loop. */
    interface InputLoop {
        /** True once the input ended and the outputs carry EndOfPartition: no barrier or marker goes out any more. */
        boolean inputEnded();

        /** True if the operators finished (or had finished when restored): their snapshot says so. */
        boolean operatorsFinished();

        /** The records of the batch being processed that came from {@code channel} and are not processed yet, or null. */
        RecordBatch unprocessedRest(int channel);
    }

    private final OperatorChain chain;
    private final List<RecordWriter> writers;
    /** The input channels; null for a source chain. */
    private final InputGate<ChannelItem> gate;
    /** Aligns the input channels on barriers; null for a source chain. */
    private final CheckpointBarrierHandler barrierHandler;
    private final CheckpointPort port;
    private final InputLoop input;
    private final boolean isSource;
    private final LongSupplier nanoClock;
    private final LongSupplier wallClockMillis;
    /** The unaligned checkpoint being taken, if any, and its in-flight data. */
    private final InFlightRecorder inFlight;
    /** The newest checkpoint this subtask snapshotted or gave up; older barriers are out of order. */
    private long lastCheckpointId = -1;
    /**
     * A source that took part in a savepoint that stops the job: the savepoint's id while it
     * waits to hear whether it completed (then its output ends) or failed (then it reads on); -1 otherwise.
     */
    private long suspendedForSavepoint = -1;

    /**
     * @param gate           the input channels, or null for a source chain
     * @param barrierHandler the handler of the input channels' barriers, or null for a source chain
     */
    SubtaskCheckpointer(OperatorChain chain, List<RecordWriter> writers, InputGate<ChannelItem> gate,
                        CheckpointBarrierHandler barrierHandler, InFlightRecorder inFlight, CheckpointPort port,
                        InputLoop input, LongSupplier nanoClock, LongSupplier wallClockMillis) {
        if ((gate == null) != (barrierHandler == null)) {
            throw new IllegalArgumentException("A subtask with input channels needs a barrier handler, a source none");
        }
        this.chain = chain;
        this.writers = List.copyOf(writers);
        this.gate = gate;
        this.barrierHandler = barrierHandler;
        this.inFlight = inFlight;
        this.port = port;
        this.input = input;
        this.isSource = gate == null;
        this.nanoClock = nanoClock;
        this.wallClockMillis = wallClockMillis;
    }

    /**
     * Items a channel delivered: they go to the gate, in order. Barriers of aligned checkpoints
     * that may turn unaligned are announced (B10: their timeout runs from now). A priority event
     * (an unaligned barrier) is handled at once, ahead of the data queued before it (B9), and data
     * arriving on a channel the current unaligned checkpoint persists is recorded.
     */
    void onDelivered(int channel, List<ChannelItem> items) {
        boolean priority = false;
        for (ChannelItem item : items) {
            if (item instanceof EventItem event) {
                if (event.priority()) {
                    priority = true;
                } else if (event.event() instanceof CheckpointBarrier barrier) {
                    carryOut(barrierHandler.onBarrierAnnounced(channel, barrier));
                }
            }
        }
        if (priority || inFlight.isPersisting(channel)) {
            deliverOneByOne(channel, items);
        } else {
            gate.onDelivered(channel, items);
        }
    }

    private void deliverOneByOne(int channel, List<ChannelItem> items) {
        for (ChannelItem item : items) {
            if (item instanceof EventItem event && event.priority()) {
                if (!(event.event() instanceof CheckpointBarrier barrier)) {
                    throw new IllegalStateException("Unexpected priority event on input channel " + channel + ": " + event.event());
                }
                carryOut(barrierHandler.onBarrier(channel, barrier));
                continue;
            }
            if (inFlight.isPersisting(channel)) {
                if (item instanceof RecordBatch batch) {
                    inFlight.persist(channel, batch);
                } else if (((EventItem) item).event() instanceof EndOfPartitionEvent) {
                    inFlight.stopPersisting(channel);
                    carryOut(barrierHandler.onEndOfPartitionAhead(channel)); // it need not wait behind the data
                } else if (((EventItem) item).event() instanceof CheckpointBarrier barrier && barrier.id() >= inFlight.checkpointId()) {
                    inFlight.stopPersisting(channel); // it came in order: what follows is after it
                    if (barrier.id() == inFlight.checkpointId()) {
                        // The checkpoint went unaligned: its barrier need not wait behind the data queued before it.
                        carryOut(barrierHandler.onBarrier(channel, barrier));
                        continue;
                    }
                }
            }
            gate.onDelivered(channel, List.of(item));
        }
    }

    /** A barrier reached the head of {@code channel} in order. */
    void onBarrier(int channel, CheckpointBarrier barrier) {
        carryOut(barrierHandler.onBarrier(channel, barrier));
    }

    void onCancellationMarker(int channel, long checkpointId) {
        carryOut(barrierHandler.onCancellationMarker(channel, checkpointId));
    }

    /** {@code channel} ended, in order. */
    void onEndOfPartition(int channel) {
        carryOut(barrierHandler.onEndOfPartition(channel));
    }

    /**
     * The coordinator triggered a checkpoint here (a source, or a subtask whose input has ended):
     * snapshot now and, if the output has not ended, send the barrier downstream.
     */
    void triggerCheckpoint(CheckpointBarrier barrier) {
        long startDelay = Math.max(0, wallClockMillis.getAsLong() - barrier.timestamp());
        takeSnapshot(barrier, 0, startDelay);
    }

    /** True while a source waits to hear how the savepoint that stops the job ended: it reads nothing meanwhile. */
    boolean isSuspendedForSavepoint() {
        return suspendedForSavepoint >= 0;
    }

    /**
     * Checkpoint {@code checkpointId} completed: the operators hear it (sinks commit).
     *
     * @return true if it was the savepoint that stops the job this source waited for: its output ends now, without draining
     */
    boolean notifyCheckpointComplete(long checkpointId) {
        chain.notifyCheckpointComplete(checkpointId);
        if (checkpointId == suspendedForSavepoint) {
            suspendedForSavepoint = -1;
            return true;
        }
        return false;
    }

    void notifyCheckpointAborted(long checkpointId) {
        if (checkpointId > lastCheckpointId) {
            abortBeforeBarrier(checkpointId);
        }
        if (inFlight.checkpointId() == checkpointId) {
            inFlight.abort(checkpointId); // the checkpoint is dead: stop holding its in-flight data
        }
        chain.notifyCheckpointAborted(checkpointId);
        if (checkpointId == suspendedForSavepoint) {
            suspendedForSavepoint = -1; // the stop failed: read on
        }
    }

    /**
     * Rule B11: checkpoint {@code checkpointId} was aborted before this subtask took it. It is
     * not aligned, snapshotted or written here. A subtask that reads channels asks its barrier
     * handler, which ends that checkpoint's alignment (its channels resume at once) or remembers
     * it so that its barriers still to come count as cancelled; the subtasks downstream then hear
     * of it with a cancellation marker. A source, or a subtask whose input ended, is triggered by
     * the coordinator, whose messages arrive in order: it skips the checkpoint as out of order
     * and tells downstream the same way.
     */
    private void abortBeforeBarrier(long checkpointId) {
        if (!isSource && !input.inputEnded()) {
            carryOut(barrierHandler.onCheckpointAborted(checkpointId));
        } else {
            lastCheckpointId = checkpointId;
            if (!input.inputEnded()) {
                emitEvent(new CancelCheckpointMarker(checkpointId));
            }
        }
    }

    /** An output channel reported what an unaligned barrier overtook in its queue. */
    void onOutputCaptured(int edgeId, int target, long checkpointId, byte[] overtaken) {
        inFlight.outputCaptured(edgeId, target, checkpointId, overtaken);
        completeUnaligned();
    }

    /**
     * The timeout of an aligned checkpoint that may turn unaligned fired: the input side switches
     * if it is still aligning (B10), and barriers of it still queued on the way out are sent ahead
     * of the data in front of them, which becomes in-flight output.
     */
    void onCheckpointTimeout(long checkpointId) {
        if (barrierHandler != null) {
            carryOut(barrierHandler.onAlignmentTimeout(checkpointId));
        }
        if (inFlight.checkpointId() == checkpointId && !inFlight.barrier().options().isUnaligned()) {
            CheckpointBarrier unaligned = new CheckpointBarrier(checkpointId, inFlight.barrier().timestamp(),
                    inFlight.barrier().options().toUnaligned());
            for (InFlightChannels.Output output : inFlight.unreportedOutputs()) {
                for (RecordWriter writer : writers) {
                    if (writer.edgeId() == output.edgeId()) {
                        inFlight.addParkedOvertaken(output, writer.convertBarrier(output.target(), unaligned));
                    }
                }
            }
        }
    }

    /** Snapshot, then forward the barrier behind every record before it (unless the output has ended). */
    private void takeSnapshot(CheckpointBarrier barrier, long alignmentNanos, long startDelayMillis) {
        if (barrier.id() <= lastCheckpointId) {
            return; // out of order: a newer checkpoint was already taken or given up here
        }
        if (barrier.options().isUnaligned()) {
            takeUnalignedSnapshot(barrier, alignmentNanos, startDelayMillis);
            return;
        }
        if (barrier.options().isTimeoutable() && !input.inputEnded() && !writers.isEmpty()) {
            takeTimeoutableSnapshot(barrier, alignmentNanos, startDelayMillis);
            return;
        }
        lastCheckpointId = barrier.id();
        OperatorSnapshot snapshot = snapshotOperators(barrier);
        if (!input.inputEnded()) {
            emitEvent(barrier);
            if (isSource && barrier.options().snapshotType().isSynchronous()) {
                // Stop-with-savepoint: nothing may follow the barrier, so that the job resumes exactly here.
                suspendedForSavepoint = barrier.id();
            }
        }
        port.snapshotTaken(barrier, stateOf(snapshot.parts(), Map.of()), alignmentNanos, startDelayMillis, snapshot.syncNanos());
    }

    /** The subtask's state, completed off the subtask's thread: operator parts (keyed state may still serialize), then in-flight data. */
    private static Callable<SubtaskState> stateOf(Map<String, Callable<byte[]>> operatorParts, Map<String, byte[]> inFlightData) {
        return () -> {
            Map<String, byte[]> bytes = new TreeMap<>();
            for (Map.Entry<String, Callable<byte[]>> part : operatorParts.entrySet()) {
                bytes.put(part.getKey(), part.getValue().call());
            }
            bytes.putAll(inFlightData);
            return SubtaskState.adopt(bytes);
        };
    }

    /**
     * Snapshot now, send the barrier ahead of all queued output (C7), and record the in-flight
     * data; the snapshot is written once the input side and every output channel completed it.
     */
    private void takeUnalignedSnapshot(CheckpointBarrier barrier, long alignmentNanos, long startDelayMillis) {
        subsumeRecording();
        lastCheckpointId = barrier.id();
        OperatorSnapshot snapshot = snapshotOperators(barrier);
        Map<Integer, List<List<RecordBatch>>> parked = new HashMap<>();
        if (!input.inputEnded()) {
            for (RecordWriter writer : writers) {
                parked.put(writer.edgeId(), writer.emitPriorityBarrier(barrier));
            }
        }
        inFlight.begin(barrier, snapshot.parts(), alignmentNanos, startDelayMillis, snapshot.syncNanos(),
                isSource || input.inputEnded() ? 0 : gate.numberOfChannels(), parked);
        completeUnaligned();
    }

    /** The operators' parts of a snapshot and how long taking them held the subtask up. */
    private record OperatorSnapshot(Map<String, Callable<byte[]>> parts, long syncNanos) {
    }

    private OperatorSnapshot snapshotOperators(CheckpointBarrier barrier) {
        long start = nanoClock.getAsLong();
        Map<String, Callable<byte[]>> parts = chain.snapshot(barrier.id(), input.operatorsFinished(),
                barrier.options().targetLocation().isDefault());
        return new OperatorSnapshot(parts, nanoClock.getAsLong() - start);
    }

    /** One checkpoint records in-flight data at a time: a newer one subsumes the one still recording. */
    private void subsumeRecording() {
        if (inFlight.isActive()) {
            port.declined(inFlight.checkpointId(), CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED);
            inFlight.abort(inFlight.checkpointId());
        }
    }

    /**
     * An aligned checkpoint that may turn unaligned (rule B10): the snapshot is aligned and the
     * barrier goes out in order, but it is written only once every output channel reported that the
     * barrier got through, or, after the timeout, what it overtook when it was sent ahead.
     */
    private void takeTimeoutableSnapshot(CheckpointBarrier barrier, long alignmentNanos, long startDelayMillis) {
        subsumeRecording();
        lastCheckpointId = barrier.id();
        OperatorSnapshot snapshot = snapshotOperators(barrier);
        Map<Integer, List<List<RecordBatch>>> nothingYet = new HashMap<>();
        for (RecordWriter writer : writers) {
            List<List<RecordBatch>> empty = new ArrayList<>();
            for (int target = 0; target < writer.channels(); target++) {
                empty.add(List.of());
            }
            nothingYet.put(writer.edgeId(), empty);
        }
        inFlight.begin(barrier, snapshot.parts(), alignmentNanos, startDelayMillis, snapshot.syncNanos(), 0, nothingYet);
        emitEvent(barrier);
        long elapsed = wallClockMillis.getAsLong() - barrier.timestamp();
        port.scheduleTimeout(barrier.id(), Math.max(0, barrier.options().alignedCheckpointTimeout() - elapsed));
        completeUnaligned();
    }

    private void completeUnaligned() {
        inFlight.takeIfComplete().ifPresent(completed -> port.snapshotTaken(completed.barrier(),
                stateOf(completed.operatorParts(), completed.inFlight()), completed.alignmentNanos(), completed.startDelayMillis(),
                completed.syncNanos()));
    }

    /**
     * Starts recording the input of an unaligned checkpoint: per channel of {@code persist}'s queued
     * channels, the data not processed yet (the rest of the current batch, then the gate's queue, up
     * to a barrier of this checkpoint that is already queued: a channel with one is done).
     */
    private void startPersistingInput(BarrierAction.PersistInFlightInput persist) {
        long checkpointId = persist.checkpointId();
        List<List<RecordBatch>> queued = new ArrayList<>(gate.numberOfChannels());
        BitSet barrierQueued = new BitSet();
        Map<Integer, EventItem> queuedBarriers = new TreeMap<>();
        List<Integer> queuedEnds = new ArrayList<>();
        for (int channel = 0; channel < gate.numberOfChannels(); channel++) {
            List<RecordBatch> data = new ArrayList<>();
            if (persist.queuedChannels().contains(channel)) {
                RecordBatch rest = input.unprocessedRest(channel);
                if (rest != null) {
                    data.add(rest);
                }
                for (ChannelItem item : gate.queued(channel)) {
                    if (item instanceof RecordBatch batch) {
                        data.add(batch);
                    } else if (((EventItem) item).event() instanceof CheckpointBarrier barrier && barrier.id() >= checkpointId) {
                        barrierQueued.set(channel);
                        if (barrier.id() == checkpointId) {
                            queuedBarriers.put(channel, (EventItem) item);
                        }
                        break;
                    } else if (((EventItem) item).event() instanceof EndOfPartitionEvent) {
                        barrierQueued.set(channel);
                        queuedEnds.add(channel);
                        break;
                    }
                }
            }
            queued.add(data);
        }
        inFlight.startInput(checkpointId, queued, persist.channelsUntilBarrier());
        barrierQueued.stream().forEach(inFlight::stopPersisting);
        // The checkpoint went unaligned: barriers of it queued behind data are taken now, not in turn.
        queuedBarriers.forEach((channel, item) -> {
            gate.remove(channel, item);
            carryOut(barrierHandler.onBarrier(channel, (CheckpointBarrier) item.event()));
        });
        queuedEnds.forEach(channel -> carryOut(barrierHandler.onEndOfPartitionAhead(channel)));
    }

    private void carryOut(List<BarrierAction> actions) {
        for (BarrierAction action : actions) {
            if (action instanceof BarrierAction.BlockChannel block) {
                gate.block(block.channel());
            } else if (action instanceof BarrierAction.ResumeChannel resume) {
                gate.resume(resume.channel());
            } else if (action instanceof BarrierAction.TriggerCheckpoint trigger) {
                takeSnapshot(trigger.barrier(), trigger.alignmentNanos(), trigger.startDelayMillis());
            } else if (action instanceof BarrierAction.PersistInFlightInput persist) {
                startPersistingInput(persist);
            } else if (action instanceof BarrierAction.ScheduleAlignmentTimeout timeout) {
                port.scheduleTimeout(timeout.checkpointId(), timeout.delayMillis());
            } else if (action instanceof BarrierAction.StopPersistingInput stop) {
                inFlight.stopPersisting(stop.channel());
            } else if (action instanceof BarrierAction.InFlightInputComplete complete) {
                inFlight.inputComplete(complete.checkpointId());
                completeUnaligned();
            } else if (action instanceof BarrierAction.AbortCheckpoint abort) {
                inFlight.abort(abort.checkpointId());
                lastCheckpointId = Math.max(lastCheckpointId, abort.checkpointId());
                if (abort.reason() != CheckpointFailureReason.CHECKPOINT_ABORTED_BY_COORDINATOR) {
                    port.declined(abort.checkpointId(), abort.reason());
                }
                if (!input.inputEnded()) {
                    // Downstream subtasks aligning on this checkpoint must stop waiting for it.
                    emitEvent(new CancelCheckpointMarker(abort.checkpointId()));
                }
            }
        }
    }

    private void emitEvent(dev.snapflow.serialization.event.Event event) {
        for (RecordWriter writer : writers) {
            writer.emitEvent(event);
        }
    }
}
