package dev.snapflow.engine.api;

/**
 * A function that wants to know when a checkpoint completed (all of the job's state for it is
 * durable), for example to commit output written since the previous one, or was aborted.
 * Notifications come on the subtask's own thread; an aborted notification is a hint and may not
 * come at all.
 */
public interface CheckpointListener {

    void notifyCheckpointComplete(long checkpointId) throws Exception;

    default void notifyCheckpointAborted(long checkpointId) throws Exception {
    }
}
