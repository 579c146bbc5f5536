package dev.snapflow.engine.api;

/**
 * A function (process function or sink writer) that keeps state of its own and takes part in
 * checkpoints: at each checkpoint, after every record before the barrier and none after it, the
 * subtask asks it for a snapshot of that state. The bytes become this operator's part of the
 * subtask's checkpoint. Called on the subtask's own thread, between records.
 */
public interface CheckpointedFunction {

    /**
     * A consistent snapshot of the state as of now. The subtask keeps processing records as soon
     * as this returns, so the bytes must not share mutable structure with the live state.
     */
    byte[] snapshotState(long checkpointId) throws Exception;

    /**
     * When a job starts from a checkpoint: the bytes this function's subtask returned from
     * {@link #snapshotState} in it. Called once, before {@code open} and before any record.
     */
    void restoreState(byte[] snapshot) throws Exception;
}
