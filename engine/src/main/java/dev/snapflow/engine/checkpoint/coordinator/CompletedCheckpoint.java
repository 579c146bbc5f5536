package dev.snapflow.engine.checkpoint.coordinator;

import dev.snapflow.serialization.event.CheckpointOptions;
import dev.snapflow.engine.graph.SubtaskId;

import java.util.Map;

/**
 * A checkpoint every subtask acknowledged.
 *
 * @param id                checkpoint id
 * @param triggerTimeMillis the coordinator's wall-clock trigger time (the barrier's timestamp)
 * @param completionMillis  when the last acknowledgement arrived
 * @param subtaskStates     each subtask's acknowledged state handle
 * @param subtaskMetrics    each subtask's measurements
 * @param subtaskAckMillis  when each subtask's acknowledgement arrived (wall clock)
 * @param options           what the barrier asked for: checkpoint or savepoint, and where to write
 * @param <H>               the state handle type
 */
public record CompletedCheckpoint<H>(
        long id,
        long triggerTimeMillis,
        long completionMillis,
        Map<SubtaskId, H> subtaskStates,
        Map<SubtaskId, SubtaskCheckpointMetrics> subtaskMetrics,
        Map<SubtaskId, Long> subtaskAckMillis,
        CheckpointOptions options) {

    public CompletedCheckpoint {
        subtaskStates = Map.copyOf(subtaskStates);
        subtaskMetrics = Map.copyOf(subtaskMetrics);
        subtaskAckMillis = Map.copyOf(subtaskAckMillis);
    }

    public boolean isSavepoint() {
        return options.snapshotType().isSavepoint();
    }

    /** Trigger to last acknowledgement, as Flink counts a checkpoint's end-to-end duration. */
    public long endToEndMillis() {
        return completionMillis - triggerTimeMillis;
    }

    public long stateBytes() {
        return subtaskMetrics.values().stream().mapToLong(SubtaskCheckpointMetrics::stateBytes).sum();
    }
}
