package dev.snapflow.serialization.event;

/**
 * What kind of snapshot a barrier asks for: a checkpoint (owned by the job, used for failure
 * recovery) or a savepoint (owned by the user, portable, always aligned).
 */
public sealed interface SnapshotType permits CheckpointType, SavepointType {

    boolean isSavepoint();

    /** True for the savepoints that end a job (stop-with-savepoint): the job waits for them. */
    boolean isSynchronous();
}
