package dev.snapflow.engine.checkpoint.coordinator;

import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.serialization.event.CheckpointOptions;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The figures of finished checkpoints, as the coordinator reports them. */
class CheckpointStatsTrackerTest {

    private static final SubtaskId SOURCE = new SubtaskId(0, 0);
    private static final SubtaskId SINK = new SubtaskId(1, 0);

    private final CheckpointStatsTracker tracker = new CheckpointStatsTracker(Map.of(SOURCE, "numbers (1/1)", SINK, "out (1/1)"));

    @Test
    void a_completed_checkpoint_has_its_subtasks_figures_named_and_in_milliseconds() {
        CompletedCheckpoint<String> checkpoint = new CompletedCheckpoint<>(3, 1_000, 1_080,
                Map.of(SOURCE, "a", SINK, "b"),
                Map.of(SOURCE, new SubtaskCheckpointMetrics(0, 2, TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(5), 100L),
                        SINK, new SubtaskCheckpointMetrics(TimeUnit.MILLISECONDS.toNanos(7), 9, TimeUnit.MILLISECONDS.toNanos(3),
                                TimeUnit.MILLISECONDS.toNanos(4), 50L, 20L, true)),
                Map.of(SOURCE, 1_030L, SINK, 1_080L), CheckpointOptions.forCheckpointWithDefaultLocation());
        tracker.triggered(3, 1_000);

        CheckpointStats stats = tracker.completed(checkpoint);

        assertThat(stats.status()).isEqualTo(CheckpointStats.Status.COMPLETED);
        assertThat(stats.endToEndMillis()).isEqualTo(80);
        assertThat(stats.stateBytes()).isEqualTo(150);
        assertThat(stats.persistedInFlightBytes()).isEqualTo(20);
        assertThat(stats.unaligned()).isTrue();
        assertThat(stats.subtasks()).containsExactly(
                new CheckpointStats.Subtask("numbers (1/1)", 30, 1, 5, 0, 2, 100, 100),
                new CheckpointStats.Subtask("out (1/1)", 80, 3, 4, 7, 9, 50, 50));
        assertThat(tracker.history()).containsExactly(stats);
    }

    @Test
    void a_failed_checkpoint_counts_from_its_trigger_and_keeps_its_reason() {
        tracker.triggered(4, 2_000);

        CheckpointStats stats = tracker.failed(4, true, "CHECKPOINT_EXPIRED", 2_500);

        assertThat(stats.status()).isEqualTo(CheckpointStats.Status.FAILED);
        assertThat(stats.savepoint()).isTrue();
        assertThat(stats.triggerTimeMillis()).isEqualTo(2_000);
        assertThat(stats.endToEndMillis()).isEqualTo(500);
        assertThat(stats.failureReason()).contains("CHECKPOINT_EXPIRED");
    }

    @Test
    void a_failure_of_a_checkpoint_never_triggered_here_counts_from_now() {
        assertThat(tracker.failed(5, false, "late", 3_000).endToEndMillis()).isZero();
    }

    @Test
    void the_history_keeps_the_most_recent_checkpoints_oldest_first() {
        for (long id = 1; id <= CheckpointStatsTracker.HISTORY + 5; id++) {
            tracker.failed(id, false, "reason", id);
        }

        assertThat(tracker.history()).hasSize(CheckpointStatsTracker.HISTORY);
        assertThat(tracker.history().get(0).id()).isEqualTo(6);
        assertThat(tracker.history().get(CheckpointStatsTracker.HISTORY - 1).id()).isEqualTo(CheckpointStatsTracker.HISTORY + 5);
    }
}
