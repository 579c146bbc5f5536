package dev.snapflow.engine.checkpoint.barrier;

import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.serialization.event.CheckpointBarrier;

import java.util.Objects;

/** What a barrier handler asks its subtask to do; the subtask carries the actions out in order. */
public sealed interface BarrierAction {

    /** Stop taking input from {@code channel}: it delivered the barrier of the checkpoint being aligned. */
    record BlockChannel(int channel) implements BarrierAction {
    }

    /** Take input from {@code channel} again, in the order it was delivered. */
    record ResumeChannel(int channel) implements BarrierAction {
    }

    /**
     * Every input delivered the barrier (or ended): take the snapshot now, then forward the barrier.
     *
     * @param alignmentNanos  from the first to the last barrier of this checkpoint at this subtask
     * @param startDelayMillis from the coordinator's trigger time to the first barrier's arrival, {@code >= 0}
     */
    record TriggerCheckpoint(CheckpointBarrier barrier, long alignmentNanos, long startDelayMillis) implements BarrierAction {
        public TriggerCheckpoint {
            Objects.requireNonNull(barrier, "barrier");
        }
    }

    /** Give up checkpoint {@code checkpointId} at this subtask: decline it and tell downstream. */
    record AbortCheckpoint(long checkpointId, CheckpointFailureReason reason) implements BarrierAction {
        public AbortCheckpoint {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * An unaligned checkpoint started here (its {@link TriggerCheckpoint} comes first): the data
     * queued unprocessed on {@code queuedChannels} now (up to a barrier of this checkpoint already
     * queued there) is in-flight input of it, and so is what arrives from now on on
     * {@code channelsUntilBarrier} until that channel's barrier comes.
     */
    record PersistInFlightInput(long checkpointId, java.util.List<Integer> queuedChannels,
                                java.util.List<Integer> channelsUntilBarrier) implements BarrierAction {
        public PersistInFlightInput {
            queuedChannels = java.util.List.copyOf(queuedChannels);
            channelsUntilBarrier = java.util.List.copyOf(channelsUntilBarrier);
        }
    }

    /**
     * An aligned checkpoint that may turn unaligned started here: call the handler's
     * {@code onAlignmentTimeout(checkpointId)} after {@code delayMillis}.
     */
    record ScheduleAlignmentTimeout(CheckpointBarrier barrier, long delayMillis) implements BarrierAction {
        public long checkpointId() {
            return barrier.id();
        }
    }

    /** The barrier of the unaligned checkpoint arrived on {@code channel} (or it ended): stop persisting its input. */
    record StopPersistingInput(int channel) implements BarrierAction {
    }

    /** Every channel delivered the unaligned checkpoint's barrier or ended: its in-flight input is complete. */
    record InFlightInputComplete(long checkpointId) implements BarrierAction {
    }
}
