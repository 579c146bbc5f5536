package dev.snapflow.serialization.event;

/** How consumers treat a checkpoint's barriers. The order is Flink's wire order. */
public enum AlignmentType {
    /** Never block a channel; snapshot once the barrier arrived on every channel. */
    AT_LEAST_ONCE,
    /** Block each channel on its barrier until all channels delivered it (exactly once). */
    ALIGNED,
    /** Snapshot on the first barrier; the overtaken in-flight data becomes part of the checkpoint. */
    UNALIGNED,
    /**
     * Aligned on this edge only, because the edge cannot carry in-flight data (pointwise or
     * broadcast); the consumer turns the barrier back into unaligned before forwarding it.
     */
    FORCED_ALIGNED
}
