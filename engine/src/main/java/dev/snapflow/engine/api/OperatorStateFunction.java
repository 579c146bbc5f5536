package dev.snapflow.engine.api;

/**
 * A function or sink writer that keeps its state in operator list state. Unlike the bytes of a
 * {@link CheckpointedFunction}, operator lists are redistributed when a job is restored at
 * another parallelism, so an operator whose state is only these lists may be rescaled.
 * Called on the subtask's own thread.
 */
public interface OperatorStateFunction {

    /**
     * Called once, before {@code open} and before any record: register the lists here and, when
     * {@code restored}, read what the job's checkpoint or savepoint assigned to this subtask.
     *
     * @param restored true when the job started from a checkpoint or savepoint (the lists may still be
     *                 empty, for example after a rescaling restore that gave this subtask no elements)
     */
    void initializeState(OperatorStateStore store, boolean restored) throws Exception;

    /**
     * Called at each checkpoint, after every record before the barrier and none after it, just
     * before the lists are copied into the checkpoint: bring them up to date.
     */
    void prepareSnapshot(long checkpointId) throws Exception;
}
