package dev.snapflow.serialization.event;

/** How a source stops when a job ends with {@link EndOfData}. */
public enum StopMode {
    /** Process everything, fire all timers and let operators finish; the job ends complete. */
    DRAIN,
    /** Stop where we are (stop-with-savepoint without drain); the job can resume later. */
    NO_DRAIN
}
