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
import dev.snapflow.engine.checkpoint.barrier.ExactlyOnceBarrierHandler;
import dev.snapflow.engine.checkpoint.barrier.BarrierTracker;
import dev.snapflow.engine.checkpoint.barrier.CheckpointBarrierHandler;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.state.RestoredState;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.serialization.event.CancelCheckpointMarker;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.EndOfChannelStateEvent;
import dev.snapflow.serialization.event.EndOfData;
import dev.snapflow.serialization.event.EndOfPartitionEvent;
import dev.snapflow.serialization.event.StopMode;
import dev.snapflow.serialization.event.Event;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * The input loop of one subtask: it reads records from its source or its input gate, pushes them
 * through the operator chain into the record writers, returns credits for processed batches, and
 * ends the output once the input has ended. Each {@link #run()} does a bounded amount of work and
 * says what the subtask should do next, so that the actor stays responsive. Checkpoints are its
 * {@link SubtaskCheckpointer}'s, which sees the barriers and events the loop meets; a restored
 * checkpoint's in-flight data is put back by an {@link InFlightReplayer}. Actor-confined.
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
    private final SubtaskCheckpointer checkpointer;
    private final InFlightReplayer replayer;
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
     * A subtask's input channels and how it grants them credits.
     *
     * @param channels the number of input channels; 0 for a source chain
     */
    record Inputs(int channels, int exclusiveCredits, int floatingCredits, CreditPort creditPort) {
    }

    /** The clocks a subtask reads: a monotonic one for durations, the wall clock for checkpoint trigger times. */
    record Clocks(LongSupplier nanos, LongSupplier wallMillis) {
        static Clocks system() {
            return new Clocks(System::nanoTime, System::currentTimeMillis);
        }
    }

    /**
     * @param batchSize the size of the batches the source is read in and restored in-flight data is replayed in
     */
    SubtaskRunner(OperatorChain chain, List<RecordWriter> writers, Inputs inputs, OutputPressure pressure,
                  SubtaskMetrics metrics, Clocks clocks, int recordsPerTurn, int batchSize,
                  CheckpointSettings checkpointSettings, SubtaskCheckpointer.CheckpointPort checkpointPort,
                  InFlightCodec inFlightCodec, InFlightChannels inFlightChannels) {
        this.chain = chain;
        this.writers = List.copyOf(writers);
        this.source = chain.source().orElse(null);
        this.gate = inputs.channels() > 0 ? new InputGate<>(inputs.channels()) : null;
        this.credits = inputs.channels() > 0
                ? new CreditBalance(inputs.channels(), inputs.exclusiveCredits(), inputs.floatingCredits()) : null;
        this.creditPort = inputs.creditPort();
        this.pressure = pressure;
        this.metrics = metrics;
        this.nanoClock = clocks.nanos();
        this.recordsPerTurn = recordsPerTurn;
        this.sourceReadSize = batchSize;
        Collector<Object> chainEntry = chain.entry();
        this.entry = source == null ? chainEntry : record -> {
            recordsIn++;
            chainEntry.collect(record);
        };
        if ((source == null) == (gate == null)) {
            throw new IllegalArgumentException("A subtask reads either a source or input channels");
        }
        this.checkpointer = new SubtaskCheckpointer(chain, writers, gate,
                gate == null ? null : barrierHandler(inputs.channels(), checkpointSettings, clocks),
                new InFlightRecorder(inFlightCodec, inFlightChannels), checkpointPort, new InputLoopView(),
                clocks.nanos(), clocks.wallMillis());
        this.replayer = new InFlightReplayer(inFlightCodec, inFlightChannels, batchSize, chain.headName());
    }

    private static CheckpointBarrierHandler barrierHandler(int channels, CheckpointSettings settings, Clocks clocks) {
        return settings.mode() == CheckpointSettings.Mode.EXACTLY_ONCE
                ? new ExactlyOnceBarrierHandler(channels, settings.checkpointsAfterInputsEnd(), clocks.nanos(), clocks.wallMillis())
                : new BarrierTracker(channels, settings.checkpointsAfterInputsEnd(), clocks.nanos(), clocks.wallMillis());
    }

    /** What the checkpointer sees of this loop. */
    private final class InputLoopView implements SubtaskCheckpointer.InputLoop {
        @Override
        public boolean inputEnded() {
            return inputEnded;
        }

        @Override
        public boolean operatorsFinished() {
            return finishedOnRestore || (inputEnded && !stopWithoutDraining);
        }

        @Override
        public RecordBatch unprocessedRest(int channel) {
            if (currentBatch == null || currentChannel != channel || cursor == currentBatch.size()) {
                return null;
            }
            Object[] rest = Arrays.copyOfRange(currentBatch.records(), cursor, currentBatch.size());
            return new RecordBatch(rest, rest.length);
        }
    }

    /** The subtask's side of checkpoints: the actor hands it checkpoint messages. */
    SubtaskCheckpointer checkpointer() {
        return checkpointer;
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
            replayer.replay(restored.get(), gate, writers);
        }
        if (credits != null) {
            for (CreditBalance.Grant grant : credits.initialGrants()) {
                creditPort.grant(grant.channel(), grant.credits());
            }
        }
    }

    void onDelivered(int channel, List<ChannelItem> items, int backlog) {
        if (closed) {
            return;
        }
        int batches = 0;
        for (ChannelItem item : items) {
            if (item instanceof RecordBatch batch && !batch.tookNoCredit()) { // leading parts of a split batch took none
                batches++;
            }
        }
        checkpointer.onDelivered(channel, items);
        int lent = credits.onDelivered(channel, batches, backlog);
        if (lent > 0) {
            creditPort.grant(channel, lent);
        }
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
            chain.flushSinks();
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

    void notifyCheckpointComplete(long checkpointId) {
        if (!closed && checkpointer.notifyCheckpointComplete(checkpointId)) {
            stopWithoutDraining = true;
            endInput();
        }
    }

    void notifyCheckpointAborted(long checkpointId) {
        if (!closed) {
            checkpointer.notifyCheckpointAborted(checkpointId);
        }
    }

    void onCheckpointTimeout(long checkpointId) {
        if (!closed) {
            checkpointer.onCheckpointTimeout(checkpointId);
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
            // A period still going on counts too: a subtask blocked for good shows it.
            long blockedNow = blockedSince >= 0 ? nanoClock.getAsLong() - blockedSince : 0;
            metrics.publish(recordsIn, out, backpressuredNanos + blockedNow);
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
            if (source != null && checkpointer.isSuspendedForSavepoint()) {
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

    /** After {@link Step#POLL_LATER}: when the source says it has records again, if it can tell. */
    Optional<CompletionStage<?>> whenSourceAvailable() {
        return source == null ? Optional.empty() : source.whenAvailable();
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
            boolean tookNoCredit = currentBatch.tookNoCredit();
            currentBatch = null;
            if (!tookNoCredit) {
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
            checkpointer.onBarrier(channel, barrier);
        } else if (event instanceof CancelCheckpointMarker marker) {
            checkpointer.onCancellationMarker(channel, marker.checkpointId());
        } else if (event instanceof EndOfChannelStateEvent) {
            // The channel's restored in-flight data is behind us; it is in order, so nothing waits for this.
        } else if (event instanceof EndOfData endOfData) {
            stopWithoutDraining |= endOfData.stopMode() == StopMode.NO_DRAIN;
        } else if (event instanceof EndOfPartitionEvent) {
            checkpointer.onEndOfPartition(channel);
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
