package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.ReadStatus;
import dev.snapflow.engine.api.SourceReader;
import dev.snapflow.engine.runtime.channel.ChannelItem;
import dev.snapflow.engine.runtime.channel.EventItem;
import dev.snapflow.engine.runtime.channel.InFlightCodec;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.engine.runtime.gate.CreditBalance;
import dev.snapflow.engine.runtime.gate.InputGate;
import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.engine.checkpoint.barrier.ExactlyOnceBarrierHandler;
import dev.snapflow.engine.checkpoint.barrier.BarrierAction;
import dev.snapflow.engine.checkpoint.barrier.BarrierTracker;
import dev.snapflow.engine.checkpoint.barrier.CheckpointBarrierHandler;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.state.RestoredState;
import dev.snapflow.engine.state.InFlightPart;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.serialization.event.CancelCheckpointMarker;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.EndOfChannelStateEvent;
import dev.snapflow.serialization.event.EndOfData;
import dev.snapflow.serialization.event.EndOfPartitionEvent;
import dev.snapflow.serialization.event.StopMode;
import dev.snapflow.serialization.event.Event;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * Drives one subtask: reads records from its source or its input gate, pushes them through the
 * operator chain into the record writers, returns credits for processed batches, and ends the
 * output once the input has ended. Each {@link #run()} does a bounded amount of work and says
 * what the subtask should do next, so that the actor stays responsive. Actor-confined.
 */
final class SubtaskRunner {

    /** What the actor should do after a turn. */
    enum Step {
        /** The turn's budget is spent and work remains: continue after other messages. */
        YIELD,
        /** An output channel has no free slot: wait for a release. */
        BLOCKED,
        /** No input is queued: wait for a delivery. */
        IDLE,
        /** The source has nothing right now: ask it again after a short pause. */
        POLL_LATER,
        /** The input ended and every output item was handed to its channel. */
        FINISHED
    }

    /** How the runner grants credits to its input channels; the actor implements it with refs. */
    @FunctionalInterface
    interface CreditPort {
        void grant(int channel, int credits);
    }

    /** Where the runner's part of a checkpoint goes; the actor writes it and tells the coordinator. */
    interface CheckpointPort {
        /**
         * The synchronous part of the snapshot is taken (and the barrier forwarded): complete
         * {@code state} (it may serialize), write it and acknowledge, off the subtask's thread.
         */
        void snapshotTaken(CheckpointBarrier barrier, Callable<SubtaskState> state, long alignmentNanos,
                           long startDelayMillis, long syncNanos);

        /** This subtask gives up checkpoint {@code checkpointId}. */
        void declined(long checkpointId, CheckpointFailureReason reason);

        /** Call {@link SubtaskRunner#onCheckpointTimeout(long)} after {@code delayMillis}. */
        void scheduleTimeout(long checkpointId, long delayMillis);
    }

    private final OperatorChain chain;
    private final List<RecordWriter> writers;
    private final SourceReader<Object> source;
    private final InputGate<ChannelItem> gate;
    private final CreditBalance credits;
    private final CreditPort creditPort;
    private final OutputPressure pressure;
    private final SubtaskMetrics metrics;
    private final LongSupplier nanoClock;
    private final int recordsPerTurn;
    private final int sourceReadSize;
    private final Collector<Object> entry;
    /** Aligns the input channels on barriers; null for a source chain. */
    private final CheckpointBarrierHandler barrierHandler;
    private final CheckpointPort checkpointPort;
    private final LongSupplier wallClockMillis;
    /** The unaligned checkpoint being taken, if any, and its in-flight data. */
    private final InFlightRecorder inFlight;
    /** Aligned checkpoints that may turn unaligned whose input-side timeout is scheduled, by id. */
    private final Map<Long, CheckpointBarrier> alignmentTimeouts = new HashMap<>();
    private final InFlightCodec inFlightCodec;
    private final InFlightChannels inFlightChannels;
    /** The newest checkpoint this subtask snapshotted or gave up; older barriers are out of order. */
    private long lastCheckpointId = -1;
    private boolean closed;

    private RecordBatch currentBatch;
    private int currentChannel;
    /** Index of the next record of {@link #currentBatch} to process. */
    private int cursor;
    private boolean inputEnded;
    private boolean finished;
    /**
     * A turn also ends after this long, however few records it processed, so that messages waiting
     * for the subtask (an unaligned barrier above all) are not held up by slow records.
     */
    private static final long TURN_NANOS = 1_000_000;
    /** The clock is read once per this many + 1 records, keeping it off the per-record path. */
    private static final int CLOCK_CHECK_MASK = 15;
    private long turnDeadlineNanos;
    /**
     * A source that took part in a savepoint that stops the job: the savepoint's id while it
     * waits to hear whether it completed (then its output ends) or failed (then it reads on); -1 otherwise.
     */
    private long suspendedForSavepoint = -1;
    /** Set when an input announced that the job stops without draining: operators are not finished then. */
    private boolean stopWithoutDraining;
    /**
     * Set when the restored checkpoint says this subtask had finished: it reads nothing, does not
     * finish its operators again, and only ends its output (Flink's finished-on-restore tasks).
     */
    private boolean finishedOnRestore;
    /** Set on a source restored after its job had stopped with a savepoint: it ends its output at once, without draining. */
    private boolean sourceStopped;
    private long recordsIn;
    private long backpressuredNanos;
    /** When the current blocked period started, or -1 while not blocked. */
    private long blockedSince = -1;

    /**
     * @param inputChannels the number of input channels; 0 for a source chain
     */
    SubtaskRunner(OperatorChain chain, List<RecordWriter> writers, int inputChannels, int exclusiveCredits,
                  int floatingCredits, CreditPort creditPort, OutputPressure pressure, SubtaskMetrics metrics,
                  LongSupplier nanoClock, int recordsPerTurn, int sourceReadSize,
                  CheckpointSettings checkpointSettings, CheckpointPort checkpointPort, LongSupplier wallClockMillis,
                  InFlightCodec inFlightCodec, InFlightChannels inFlightChannels) {
        this.inFlightCodec = inFlightCodec;
        this.inFlightChannels = inFlightChannels;
        this.inFlight = new InFlightRecorder(inFlightCodec, inFlightChannels);
        this.chain = chain;
        this.writers = List.copyOf(writers);
        this.source = chain.source().orElse(null);
        this.gate = inputChannels > 0 ? new InputGate<>(inputChannels) : null;
        this.credits = inputChannels > 0 ? new CreditBalance(inputChannels, exclusiveCredits, floatingCredits) : null;
        this.creditPort = creditPort;
        this.pressure = pressure;
        this.metrics = metrics;
        this.nanoClock = nanoClock;
        this.recordsPerTurn = recordsPerTurn;
        this.sourceReadSize = sourceReadSize;
        Collector<Object> chainEntry = chain.entry();
        this.entry = source == null ? chainEntry : record -> {
            recordsIn++;
            chainEntry.collect(record);
        };
        if ((source == null) == (gate == null)) {
            throw new IllegalArgumentException("A subtask reads either a source or input channels");
        }
        this.checkpointPort = checkpointPort;
        this.wallClockMillis = wallClockMillis;
        if (gate == null) {
            this.barrierHandler = null;
        } else if (checkpointSettings.mode() == CheckpointSettings.Mode.EXACTLY_ONCE) {
            this.barrierHandler = new ExactlyOnceBarrierHandler(inputChannels, checkpointSettings.checkpointsAfterInputsEnd(),
                    nanoClock, wallClockMillis);
        } else {
            this.barrierHandler = new BarrierTracker(inputChannels, checkpointSettings.checkpointsAfterInputsEnd(),
                    nanoClock, wallClockMillis);
        }
    }

    /**
     * Restores the operators from a checkpoint's state, if any, opens them, replays the
     * checkpoint's in-flight data, and grants every input channel its first credits (C1).
     */
    void start(Optional<RestoredState> restored) {
        restored.ifPresent(chain::restore);
        // Operators of a finished subtask are restored and opened too: a sink commits what its
        // checkpoint held pending, and the state goes into the checkpoints still to come.
        chain.open(restored.isPresent());
        if (restored.isPresent()) {
            finishedOnRestore = chain.finishedIn(restored.get());
            // Rule K12: the job had stopped with a savepoint; the source stops as it did then.
            sourceStopped = source != null && !restored.get().snapshots(SubtaskState.STOP_SOURCE_MARKER).isEmpty();
            stopWithoutDraining |= sourceStopped;
            replayInFlight(restored.get());
        }
        if (credits != null) {
            for (CreditBalance.Grant grant : credits.initialGrants()) {
                creditPort.grant(grant.channel(), grant.credits());
            }
        }
    }

    /**
     * Rule R11: each input channel's restored in-flight input goes to the gate ahead of anything
     * the channel delivers, and each output channel's restored in-flight output is sent ahead of
     * new records; every channel then carries EndOfChannelStateEvent, and live data follows.
     */
    private void replayInFlight(RestoredState restored) {
        for (String part : restored.partNames()) {
            if (!part.startsWith(SubtaskState.IN_FLIGHT_PREFIX)) {
                continue;
            }
            byte[] bytes = restored.single(part).orElseThrow();
            try {
                InFlightPart channel = InFlightPart.parse(part).orElseThrow();
                if (channel.input()) {
                    if (gate == null) {
                        throw new IllegalStateException("a source has no input channels");
                    }
                    gate.onDelivered(inFlightChannels.inputChannel(channel), batches(inFlightCodec.decode(bytes, part), true));
                } else {
                    InFlightChannels.Output output = inFlightChannels.output(channel);
                    RecordWriter writer = writers.stream().filter(w -> w.edgeId() == output.edgeId()).findFirst().orElseThrow();
                    writer.replay(output.target(), batches(inFlightCodec.decode(bytes, part), false));
                }
            } catch (java.io.IOException | RuntimeException e) {
                throw new IllegalStateException("The restored in-flight data " + part + " of " + chain.headName()
                        + " cannot be replayed: " + e.getMessage(), e);
            }
        }
        if (gate != null) {
            for (int channel = 0; channel < gate.numberOfChannels(); channel++) {
                gate.onDelivered(channel, List.of(new EventItem(EndOfChannelStateEvent.INSTANCE, false)));
            }
        }
        for (RecordWriter writer : writers) {
            writer.emitEvent(EndOfChannelStateEvent.INSTANCE);
        }
    }

    private List<RecordBatch> batches(List<Object> records, boolean recovered) {
        List<RecordBatch> batches = new ArrayList<>();
        for (int from = 0; from < records.size(); from += sourceReadSize) {
            Object[] batch = records.subList(from, Math.min(records.size(), from + sourceReadSize)).toArray();
            batches.add(new RecordBatch(batch, batch.length, recovered));
        }
        return batches;
    }

    void onDelivered(int channel, List<ChannelItem> items, int backlog) {
        if (closed) {
            return;
        }
        int batches = 0;
        boolean priority = false;
        for (ChannelItem item : items) {
            if (item.isData()) {
                batches++;
            } else if (((EventItem) item).priority()) {
                priority = true;
            } else if (((EventItem) item).event() instanceof CheckpointBarrier barrier && barrier.options().isTimeoutable()) {
                // Announced as it arrives (B10): it may wait behind data, but its timeout runs from now on.
                scheduleAlignmentTimeout(barrier);
            }
        }
        if (priority || inFlight.isPersisting(channel)) {
            deliverOneByOne(channel, items);
        } else {
            gate.onDelivered(channel, items);
        }
        int lent = credits.onDelivered(channel, batches, backlog);
        if (lent > 0) {
            creditPort.grant(channel, lent);
        }
    }

    /**
     * A priority event (an unaligned barrier) is handled at once, ahead of the data queued before
     * it (B9); data arriving on a channel the current unaligned checkpoint persists is recorded.
     */
    private void deliverOneByOne(int channel, List<ChannelItem> items) {
        for (ChannelItem item : items) {
            if (item instanceof EventItem event && event.priority()) {
                if (!(event.event() instanceof CheckpointBarrier barrier)) {
                    throw new IllegalStateException("Unexpected priority event on input channel " + channel + ": " + event.event());
                }
                carryOut(barrierHandler.onBarrier(channel, barrier));
            } else {
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
    }

    private void scheduleAlignmentTimeout(CheckpointBarrier barrier) {
        if (alignmentTimeouts.putIfAbsent(barrier.id(), barrier) == null) {
            long elapsed = wallClockMillis.getAsLong() - barrier.timestamp();
            checkpointPort.scheduleTimeout(barrier.id(), Math.max(0, barrier.options().alignedCheckpointTimeout() - elapsed));
        }
    }

    /** An output channel reported what an unaligned barrier overtook in its queue. */
    void onOutputCaptured(int edgeId, int target, long checkpointId, byte[] overtaken) {
        inFlight.outputCaptured(edgeId, target, checkpointId, overtaken);
        completeUnaligned();
    }

    void onBacklogAnnounced(int channel, int backlog) {
        int lent = credits.onBacklogAnnounced(channel, backlog);
        if (lent > 0) {
            creditPort.grant(channel, lent);
        }
    }

    void onReleased(RecordWriter writer, int target, int count) {
        writer.onReleased(target, count);
    }

    /** The buffer timeout: sends partial batches so that slow streams still flow. */
    void onFlushTimeout() {
        if (!inputEnded) {
            for (RecordWriter writer : writers) {
                writer.flush();
            }
        }
    }

    boolean isFinished() {
        return finished;
    }

    /** True while a transactional sink holds output that only a coming checkpoint will commit. */
    boolean hasUncommittedOutput() {
        return !closed && chain.hasUncommittedOutput();
    }

    List<SubtaskProtocol.SinkResult> sinkResults() {
        return chain.sinkResults();
    }

    /** Closes the operators once, when the subtask stops; never throws. */
    void close() {
        if (!closed) {
            closed = true;
            finished = true;
            try {
                chain.close();
            } catch (RuntimeException ignored) {
                // The subtask is being torn down; a failure that matters was reported when it happened.
            }
        }
    }

    /**
     * The coordinator triggered a checkpoint here (a source, or a subtask whose input has ended):
     * snapshot now and, if the output has not ended, send the barrier downstream.
     */
    void triggerCheckpoint(CheckpointBarrier barrier) {
        long startDelay = Math.max(0, wallClockMillis.getAsLong() - barrier.timestamp());
        takeSnapshot(barrier, 0, startDelay);
    }

    void notifyCheckpointComplete(long checkpointId) {
        if (!closed) {
            chain.notifyCheckpointComplete(checkpointId);
            if (checkpointId == suspendedForSavepoint) {
                suspendedForSavepoint = -1;
                stopWithoutDraining = true;
                endInput();
            }
        }
    }

    void notifyCheckpointAborted(long checkpointId) {
        if (!closed && checkpointId > lastCheckpointId) {
            abortBeforeBarrier(checkpointId);
        }
        if (!closed) {
            if (inFlight.checkpointId() == checkpointId) {
                inFlight.abort(checkpointId); // the checkpoint is dead: stop holding its in-flight data
            }
            chain.notifyCheckpointAborted(checkpointId);
            if (checkpointId == suspendedForSavepoint) {
                suspendedForSavepoint = -1; // the stop failed: read on
            }
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
        if (barrierHandler != null && !inputEnded) {
            carryOut(barrierHandler.onCheckpointAborted(checkpointId));
        } else {
            lastCheckpointId = checkpointId;
            if (!inputEnded) {
                for (RecordWriter writer : writers) {
                    writer.emitEvent(new CancelCheckpointMarker(checkpointId));
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
        if (barrier.options().isTimeoutable() && !inputEnded && !writers.isEmpty()) {
            takeTimeoutableSnapshot(barrier, alignmentNanos, startDelayMillis);
            return;
        }
        lastCheckpointId = barrier.id();
        OperatorSnapshot snapshot = snapshotOperators(barrier);
        if (!inputEnded) {
            for (RecordWriter writer : writers) {
                writer.emitEvent(barrier);
            }
            if (source != null && barrier.options().snapshotType().isSynchronous()) {
                // Stop-with-savepoint: nothing may follow the barrier, so that the job resumes exactly here.
                suspendedForSavepoint = barrier.id();
            }
        }
        checkpointPort.snapshotTaken(barrier, stateOf(snapshot.parts(), Map.of()), alignmentNanos, startDelayMillis,
                snapshot.syncNanos());
    }

    /** The subtask's state, completed off the subtask's thread: operator parts (keyed state may still serialize), then in-flight data. */
    private Callable<SubtaskState> stateOf(Map<String, Callable<byte[]>> operatorParts, Map<String, byte[]> inFlightData) {
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
        Map<String, Callable<byte[]>> parts = snapshot.parts();
        long syncNanos = snapshot.syncNanos();
        Map<Integer, List<List<RecordBatch>>> parked = new HashMap<>();
        if (!inputEnded) {
            for (RecordWriter writer : writers) {
                parked.put(writer.edgeId(), writer.emitPriorityBarrier(barrier));
            }
        }
        inFlight.begin(barrier, parts, alignmentNanos, startDelayMillis, syncNanos,
                gate == null || inputEnded ? 0 : gate.numberOfChannels(), parked);
        completeUnaligned();
    }

    /** The operators' parts of a snapshot and how long taking them held the subtask up. */
    private record OperatorSnapshot(Map<String, Callable<byte[]>> parts, long syncNanos) {
    }

    private OperatorSnapshot snapshotOperators(CheckpointBarrier barrier) {
        long start = nanoClock.getAsLong();
        Map<String, Callable<byte[]>> parts = chain.snapshot(barrier.id(), finishedOnRestore || (inputEnded && !stopWithoutDraining));
        return new OperatorSnapshot(parts, nanoClock.getAsLong() - start);
    }

    /** One checkpoint records in-flight data at a time: a newer one subsumes the one still recording. */
    private void subsumeRecording() {
        if (inFlight.isActive()) {
            checkpointPort.declined(inFlight.checkpointId(), CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED);
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
        Map<String, Callable<byte[]>> parts = snapshot.parts();
        long syncNanos = snapshot.syncNanos();
        Map<Integer, List<List<RecordBatch>>> nothingYet = new HashMap<>();
        for (RecordWriter writer : writers) {
            List<List<RecordBatch>> empty = new ArrayList<>();
            for (int target = 0; target < writer.channels(); target++) {
                empty.add(List.of());
            }
            nothingYet.put(writer.edgeId(), empty);
        }
        inFlight.begin(barrier, parts, alignmentNanos, startDelayMillis, syncNanos, 0, nothingYet);
        for (RecordWriter writer : writers) {
            writer.emitEvent(barrier);
        }
        long elapsed = wallClockMillis.getAsLong() - barrier.timestamp();
        checkpointPort.scheduleTimeout(barrier.id(), Math.max(0, barrier.options().alignedCheckpointTimeout() - elapsed));
        completeUnaligned();
    }

    /**
     * The timeout of an aligned checkpoint that may turn unaligned fired: the input side switches
     * if it is still aligning (B10), and barriers of it still queued on the way out are sent ahead
     * of the data in front of them, which becomes in-flight output.
     */
    void onCheckpointTimeout(long checkpointId) {
        if (closed) {
            return;
        }
        CheckpointBarrier timedOut = alignmentTimeouts.remove(checkpointId);
        if (barrierHandler != null && timedOut != null) {
            carryOut(barrierHandler.onAlignmentTimeout(timedOut));
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

    private void completeUnaligned() {
        inFlight.takeIfComplete().ifPresent(completed -> checkpointPort.snapshotTaken(completed.barrier(),
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
                if (currentBatch != null && currentChannel == channel && cursor < currentBatch.size()) {
                    Object[] rest = Arrays.copyOfRange(currentBatch.records(), cursor, currentBatch.size());
                    data.add(new RecordBatch(rest, rest.length));
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
                scheduleAlignmentTimeout(timeout.barrier());
            } else if (action instanceof BarrierAction.StopPersistingInput stop) {
                inFlight.stopPersisting(stop.channel());
            } else if (action instanceof BarrierAction.InFlightInputComplete complete) {
                inFlight.inputComplete(complete.checkpointId());
                completeUnaligned();
            } else if (action instanceof BarrierAction.AbortCheckpoint abort) {
                inFlight.abort(abort.checkpointId());
                lastCheckpointId = Math.max(lastCheckpointId, abort.checkpointId());
                if (abort.reason() != CheckpointFailureReason.CHECKPOINT_ABORTED_BY_COORDINATOR) {
                    checkpointPort.declined(abort.checkpointId(), abort.reason());
                }
                if (!inputEnded) {
                    // Downstream subtasks aligning on this checkpoint must stop waiting for it.
                    for (RecordWriter writer : writers) {
                        writer.emitEvent(new CancelCheckpointMarker(abort.checkpointId()));
                    }
                }
            }
        }
    }

    /**
     * Works until the budget is spent, the output blocks, the input runs dry or the subtask finishes.
     *
     * @throws UserFunctionException if a user function, source or sink fails
     */
    Step run() {
        if (finished) {
            return Step.FINISHED;
        }
        endBlockedPeriod();
        try {
            return turn();
        } finally {
            long out = 0;
            for (RecordWriter writer : writers) {
                out += writer.recordsOut();
            }
            metrics.publish(recordsIn, out, backpressuredNanos);
        }
    }

    private Step turn() {
        int budget = recordsPerTurn;
        turnDeadlineNanos = nanoClock.getAsLong() + TURN_NANOS;
        while (true) {
            if (pressure.isBackpressured()) {
                if (blockedSince < 0) {
                    blockedSince = nanoClock.getAsLong();
                }
                return Step.BLOCKED;
            }
            if (inputEnded) {
                // Operators stay open: a finished subtask still answers checkpoints with its final state.
                finished = true;
                return Step.FINISHED;
            }
            if (source != null && suspendedForSavepoint >= 0) {
                return Step.IDLE;
            }
            if (source != null && (finishedOnRestore || sourceStopped)) {
                endInput();
                continue;
            }
            if (source != null) {
                long before = recordsIn;
                ReadStatus status = read(Math.min(budget, sourceReadSize));
                budget -= (int) (recordsIn - before);
                if (status == ReadStatus.END_OF_INPUT) {
                    endInput();
                } else if (status == ReadStatus.NOTHING_AVAILABLE) {
                    return Step.POLL_LATER;
                } else if (budget <= 0) {
                    return Step.YIELD;
                }
            } else if (currentBatch != null) {
                budget = processCurrentBatch(budget);
                if (budget <= 0) {
                    return Step.YIELD;
                }
            } else {
                int channel = gate.nextChannel();
                if (channel < 0) {
                    return Step.IDLE;
                }
                ChannelItem item = gate.take(channel);
                if (item instanceof RecordBatch batch) {
                    currentBatch = batch;
                    currentChannel = channel;
                    cursor = 0;
                } else {
                    onEvent(channel, (EventItem) item);
                }
            }
        }
    }

    private ReadStatus read(int maxRecords) {
        try {
            return source.read(entry, maxRecords);
        } catch (UserFunctionException e) {
            throw e;
        } catch (Exception e) {
            throw new UserFunctionException(chain.headName(), e);
        }
    }

    /** Processes records of the current batch until it ends, the output blocks or the budget is spent. */
    private int processCurrentBatch(int budget) {
        Object[] records = currentBatch.records();
        int size = currentBatch.size();
        int remaining = budget;
        while (cursor < size && remaining > 0) {
            Object record = records[cursor++];
            recordsIn++;
            remaining--;
            entry.collect(record);
            if (pressure.isBackpressured()) {
                break;
            }
            if ((remaining & CLOCK_CHECK_MASK) == 0 && nanoClock.getAsLong() >= turnDeadlineNanos) {
                remaining = 0; // slow records: let the mailbox (an unaligned barrier, a cancel) in
                break;
            }
        }
        if (cursor == size) {
            boolean recovered = currentBatch.isRecovered();
            currentBatch = null;
            if (!recovered) { // a replayed batch took no credit
                for (CreditBalance.Grant grant : credits.onProcessed(currentChannel)) {
                    creditPort.grant(grant.channel(), grant.credits());
                }
            }
        }
        return remaining;
    }

    private void onEvent(int channel, EventItem item) {
        Event event = item.event();
        if (event instanceof CheckpointBarrier barrier) {
            carryOut(barrierHandler.onBarrier(channel, barrier));
        } else if (event instanceof CancelCheckpointMarker marker) {
            carryOut(barrierHandler.onCancellationMarker(channel, marker.checkpointId()));
        } else if (event instanceof EndOfChannelStateEvent) {
            // The channel's restored in-flight data is behind us; it is in order, so nothing waits for this.
        } else if (event instanceof EndOfData endOfData) {
            stopWithoutDraining |= endOfData.stopMode() == StopMode.NO_DRAIN;
        } else if (event instanceof EndOfPartitionEvent) {
            carryOut(barrierHandler.onEndOfPartition(channel));
            if (gate.markEnded(channel)) {
                endInput();
            }
        } else {
            throw new IllegalStateException("Unexpected event on input channel " + channel + ": " + event);
        }
    }

    /**
     * Lets the operators emit their last records, then ends every output with EndOfPartition.
     * When the job stops with a savepoint, operators are not finished (the job resumes from the
     * savepoint later and finishes then), and EndOfData(NO_DRAIN) tells the subtasks downstream.
     */
    private void endInput() {
        if (stopWithoutDraining) {
            for (RecordWriter writer : writers) {
                writer.emitEvent(new EndOfData(StopMode.NO_DRAIN));
            }
        } else if (!finishedOnRestore) {
            chain.finish();
        }
        for (RecordWriter writer : writers) {
            writer.emitEvent(EndOfPartitionEvent.INSTANCE);
        }
        inputEnded = true;
    }

    private void endBlockedPeriod() {
        if (blockedSince >= 0 && !pressure.isBackpressured()) {
            backpressuredNanos += nanoClock.getAsLong() - blockedSince;
            blockedSince = -1;
        }
    }
}
