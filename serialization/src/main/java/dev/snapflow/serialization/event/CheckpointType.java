package dev.snapflow.serialization.event;

/** The two kinds of checkpoint. */
public enum CheckpointType implements SnapshotType {
    /** A regular checkpoint; a state backend may write it incrementally. */
    CHECKPOINT,
    /** A checkpoint that must be a full snapshot, for example the first one after a restore. */
    FULL_CHECKPOINT;

    @Override
    public boolean isSavepoint() {
        return false;
    }

    @Override
    public boolean isSynchronous() {
        return false;
    }
}
