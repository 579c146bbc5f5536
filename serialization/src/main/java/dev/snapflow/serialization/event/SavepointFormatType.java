package dev.snapflow.serialization.event;

/** How a savepoint stores state. */
public enum SavepointFormatType {
    /** Independent of the state backend: any backend can restore it. The default. */
    CANONICAL,
    /** The state backend's own format: faster, but only that backend can restore it. */
    NATIVE
}
