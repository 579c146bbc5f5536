package dev.snapflow.engine.checkpoint.coordinator;

/**
 * What a subtask measured while taking its part of a checkpoint.
 *
 * @param alignmentNanos   first to last barrier at this subtask (0 for sources)
 * @param startDelayMillis trigger time to the first barrier's arrival
 * @param syncNanos        the synchronous part of the snapshot (the consistent copy)
 * @param asyncNanos       the asynchronous part (writing)
 * @param stateBytes       size of the state the checkpoint holds for this subtask, in-flight data
 *                         included, with the shared files of incremental keyed state it refers to
 * @param inFlightBytes    of which in-flight data of an unaligned checkpoint
 * @param unaligned        true if this subtask took the checkpoint unaligned
 * @param writtenBytes     of {@code stateBytes}, what this checkpoint wrote (less with incremental keyed state)
 */
public record SubtaskCheckpointMetrics(long alignmentNanos, long startDelayMillis, long syncNanos, long asyncNanos,
                                       long stateBytes, long inFlightBytes, boolean unaligned, long writtenBytes) {

    /** The figures of a snapshot that wrote all of its state. */
    public SubtaskCheckpointMetrics(long alignmentNanos, long startDelayMillis, long syncNanos, long asyncNanos,
                                    long stateBytes, long inFlightBytes, boolean unaligned) {
        this(alignmentNanos, startDelayMillis, syncNanos, asyncNanos, stateBytes, inFlightBytes, unaligned, stateBytes);
    }

    /** The figures of an aligned snapshot. */
    public SubtaskCheckpointMetrics(long alignmentNanos, long startDelayMillis, long syncNanos, long asyncNanos, long stateBytes) {
        this(alignmentNanos, startDelayMillis, syncNanos, asyncNanos, stateBytes, 0, false);
    }
}
