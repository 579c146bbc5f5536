package dev.snapflow.engine.checkpoint.barrier;

import dev.snapflow.serialization.event.CheckpointBarrier;

import java.util.List;

/**
 * Aligns a subtask's input channels on checkpoint barriers. Implementations:
 * {@link ExactlyOnceBarrierHandler} (exactly once: blocks channels) and {@link BarrierTracker}
 * (at least once: never blocks). Each method returns the actions to carry out, in order.
 * Actor-confined to one subtask.
 */
public interface CheckpointBarrierHandler {

    List<BarrierAction> onBarrier(int channel, CheckpointBarrier barrier);

    List<BarrierAction> onCancellationMarker(int channel, long checkpointId);

    List<BarrierAction> onEndOfPartition(int channel);

    /**
     * {@code channel}'s end of partition was delivered but waits behind data: no barrier will come
     * on it. An unaligned checkpoint may count it as done at once (its data is persisted);
     * {@link #onEndOfPartition} still follows, in order.
     */
    default List<BarrierAction> onEndOfPartitionAhead(int channel) {
        return List.of();
    }

    /**
     * {@code barrier} was delivered on {@code channel} but may wait behind data before
     * {@link #onBarrier} sees it (Flink's barrier announcement). The timeout of an aligned
     * checkpoint that may turn unaligned runs from now on (rule B10): the handler asks for its
     * timer once per checkpoint, whichever comes first, the announcement or a barrier.
     */
    default List<BarrierAction> onBarrierAnnounced(int channel, CheckpointBarrier barrier) {
        return List.of();
    }

    /**
     * The timer a {@link BarrierAction.ScheduleAlignmentTimeout} asked for fired: if checkpoint
     * {@code checkpointId} still aligns, or has not started here though its barrier was announced,
     * it goes unaligned. A timer of a checkpoint that is done does nothing.
     */
    default List<BarrierAction> onAlignmentTimeout(long checkpointId) {
        return List.of();
    }

    /**
     * The coordinator aborted {@code checkpointId}, out of band (rule B11): unlike a cancellation
     * marker it is not ordered behind any channel's data, so it ends only that checkpoint's own
     * alignment, or marks a future checkpoint cancelled so that its barriers are ignored, and never
     * disturbs an older checkpoint still aligning. The default does nothing.
     */
    default List<BarrierAction> onCheckpointAborted(long checkpointId) {
        return List.of();
    }

    /** The channels blocked right now, for metrics and tests. */
    java.util.Set<Integer> blockedChannels();
}
