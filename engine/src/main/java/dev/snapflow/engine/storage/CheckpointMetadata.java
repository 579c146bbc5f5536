package dev.snapflow.engine.storage;

import dev.snapflow.engine.graph.SubtaskId;

import java.util.Map;

/**
 * What makes a checkpoint complete: written last, after every subtask's state.
 *
 * @param jobName           the job
 * @param checkpointId      the checkpoint
 * @param triggerTimeMillis the coordinator's trigger time
 * @param completionMillis  when the last subtask acknowledged
 * @param states            every subtask's state handle
 */
public record CheckpointMetadata(String jobName, long checkpointId, long triggerTimeMillis, long completionMillis,
                                 Map<SubtaskId, StateHandle> states) {
    public CheckpointMetadata {
        states = Map.copyOf(states);
    }
}
