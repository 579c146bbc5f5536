package dev.snapflow.engine.checkpoint.coordinator;

/**
 * What a subtask measured while taking its part of a checkpoint.
 *
 * @param alignmentNanos   first to last barrier at this subtask (0 for sources)
 * @param startDelayMillis trigger time to the first barrier's arrival
 * @param syncNanos        the synchronous part of the snapshot (the consistent copy)
 * @param asyncNanos       the asynchronous part (writing)
 * @param stateBytes       size of the state written, in-flight data included
 * @param inFlightBytes    of which in-flight data of an unaligned checkpoint
 * @param unaligned        true if this subtask took the checkpoint unaligned
 */
public record SubtaskCheckpointMetrics(long alignmentNanos, long startDelayMillis, long syncNanos, long asyncNanos,
                                       long stateBytes, long inFlightBytes, boolean unaligned) {

    /** The figures of an aligned snapshot. */
    public SubtaskCheckpointMetrics(long alignmentNanos, long startDelayMillis, long syncNanos, long asyncNanos, long stateBytes) {
        this(alignmentNanos, startDelayMillis, syncNanos, asyncNanos, stateBytes, 0, false);
    }
}
