package dev.snapflow.engine.checkpoint.coordinator;

import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.graph.SubtaskId;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The statistics of one coordinator's checkpoints (Flink's {@code CheckpointStatsTracker}): the
 * trigger time of each checkpoint in progress, the figures of each finished one, and the most
 * recent {@value #HISTORY} of them, oldest first. Actor-confined.
 */
final class CheckpointStatsTracker {

    /** How many checkpoints' statistics are kept. */
    static final int HISTORY = 1000;

    private final Map<SubtaskId, String> subtaskNames;
    private final Map<Long, Long> triggerTimes = new HashMap<>();
    private final ArrayDeque<CheckpointStats> history = new ArrayDeque<>();

    /** @param subtaskNames how each subtask is named in the figures, "operator (i/p)" */
    CheckpointStatsTracker(Map<SubtaskId, String> subtaskNames) {
        this.subtaskNames = Map.copyOf(subtaskNames);
    }

    void triggered(long checkpointId, long triggerTimeMillis) {
        triggerTimes.put(checkpointId, triggerTimeMillis);
    }

    /** The figures of a checkpoint that completed, kept in the history. */
    <H> CheckpointStats completed(CompletedCheckpoint<H> checkpoint) {
        triggerTimes.remove(checkpoint.id());
        List<CheckpointStats.Subtask> perSubtask = new ArrayList<>();
        checkpoint.subtaskMetrics().forEach((id, m) -> perSubtask.add(new CheckpointStats.Subtask(
                subtaskNames.getOrDefault(id, id.toString()),
                checkpoint.subtaskAckMillis().getOrDefault(id, checkpoint.completionMillis()) - checkpoint.triggerTimeMillis(),
                TimeUnit.NANOSECONDS.toMillis(m.syncNanos()), TimeUnit.NANOSECONDS.toMillis(m.asyncNanos()),
                TimeUnit.NANOSECONDS.toMillis(m.alignmentNanos()), m.startDelayMillis(), m.stateBytes(), m.writtenBytes())));
        perSubtask.sort(Comparator.comparing(CheckpointStats.Subtask::name));
        return keep(new CheckpointStats(checkpoint.id(), CheckpointStats.Status.COMPLETED, checkpoint.isSavepoint(),
                checkpoint.triggerTimeMillis(), checkpoint.endToEndMillis(), checkpoint.stateBytes(),
                checkpoint.subtaskMetrics().values().stream().mapToLong(SubtaskCheckpointMetrics::writtenBytes).sum(),
                checkpoint.subtaskMetrics().values().stream().mapToLong(SubtaskCheckpointMetrics::inFlightBytes).sum(),
                checkpoint.subtaskMetrics().values().stream().anyMatch(SubtaskCheckpointMetrics::unaligned),
                Optional.empty(), perSubtask));
    }

    /**
     * The figures of a checkpoint that failed, kept in the history; one never triggered here (a
     * late message) counts from now.
     */
    CheckpointStats failed(long checkpointId, boolean savepoint, String reason, long nowMillis) {
        long trigger = Optional.ofNullable(triggerTimes.remove(checkpointId)).orElse(nowMillis);
        return keep(new CheckpointStats(checkpointId, CheckpointStats.Status.FAILED, savepoint, trigger, nowMillis - trigger,
                0, 0, 0, false, Optional.of(reason), List.of()));
    }

    private CheckpointStats keep(CheckpointStats stats) {
        history.addLast(stats);
        if (history.size() > HISTORY) {
            history.pollFirst();
        }
        return stats;
    }

    /** The most recent checkpoints' statistics, oldest first. */
    List<CheckpointStats> history() {
        return List.copyOf(history);
    }
}
