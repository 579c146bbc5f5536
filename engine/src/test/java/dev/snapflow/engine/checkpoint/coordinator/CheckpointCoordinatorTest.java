package dev.snapflow.engine.checkpoint.coordinator;

import com.typesafe.config.ConfigFactory;
import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.serialization.event.AlignmentType;
import dev.snapflow.serialization.event.CheckpointStorageLocationReference;
import dev.snapflow.serialization.event.SavepointFormatType;
import dev.snapflow.serialization.event.SavepointType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointCoordinatorTest {

    private static final SubtaskId SOURCE = new SubtaskId(0, 0);
    private static final SubtaskId SINK = new SubtaskId(1, 0);
    private static final SubtaskCheckpointMetrics METRICS = new SubtaskCheckpointMetrics(0, 0, 0, 0, 10);

    private long now = 1_000;

    private CheckpointCoordinator<String> coordinator(CheckpointSettings settings) {
        return new CheckpointCoordinator<>(settings, Set.of(SOURCE, SINK), Set.of(SOURCE), () -> now);
    }

    private static CheckpointSettings defaults() {
        return CheckpointSettings.create(ConfigFactory.load()).withInterval(Duration.ofMillis(100));
    }

    private static long triggered(CheckpointCoordinator.TriggerDecision decision) {
        assertThat(decision).isInstanceOf(CheckpointCoordinator.TriggerDecision.Trigger.class);
        return ((CheckpointCoordinator.TriggerDecision.Trigger) decision).barrier().id();
    }

    @SuppressWarnings("unchecked")
    private static CompletedCheckpoint<String> completed(CheckpointCoordinator.Outcome outcome) {
        assertThat(outcome).isInstanceOf(CheckpointCoordinator.Outcome.ReadyToFinalize.class);
        return ((CheckpointCoordinator.Outcome.ReadyToFinalize<String>) outcome).checkpoint();
    }

    @Test
    @DisplayName("K1, K4: ids start at 1; a checkpoint is ready once every subtask acknowledged")
    void rule_K4_when_every_subtask_acknowledges_then_the_checkpoint_is_ready() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults());

        CheckpointCoordinator.TriggerDecision decision = coordinator.tryTrigger(true);

        assertThat(triggered(decision)).isEqualTo(1);
        assertThat(((CheckpointCoordinator.TriggerDecision.Trigger) decision).targets()).containsExactly(SOURCE);
        assertThat(((CheckpointCoordinator.TriggerDecision.Trigger) decision).barrier().timestamp()).isEqualTo(1_000);
        assertThat(coordinator.acknowledge(1, SOURCE, "s", METRICS)).isInstanceOf(CheckpointCoordinator.Outcome.StillPending.class);
        now = 1_040;
        CompletedCheckpoint<String> checkpoint = completed(coordinator.acknowledge(1, SINK, "k", METRICS));
        assertThat(checkpoint.subtaskStates()).containsEntry(SOURCE, "s").containsEntry(SINK, "k");
        assertThat(checkpoint.endToEndMillis()).isEqualTo(40);
        assertThat(checkpoint.stateBytes()).isEqualTo(20);
    }

    @Test
    @DisplayName("K2: periodic triggers wait while max-concurrent checkpoints are pending")
    void rule_K2_when_max_concurrent_are_pending_then_no_new_checkpoint_starts() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults().withMaxConcurrent(2));
        triggered(coordinator.tryTrigger(true));
        triggered(coordinator.tryTrigger(true));

        assertThat(coordinator.tryTrigger(true)).isInstanceOf(CheckpointCoordinator.TriggerDecision.NotNow.class);
        assertThat(coordinator.tryTrigger(false)).isInstanceOf(CheckpointCoordinator.TriggerDecision.NotNow.class);
        assertThat(coordinator.pendingIds()).containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    @DisplayName("K3: a periodic trigger waits min-pause after the last completion; a requested one does not")
    void rule_K3_when_min_pause_has_not_passed_then_the_periodic_trigger_waits() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults().withMinPause(Duration.ofMillis(500)));
        triggered(coordinator.tryTrigger(true));
        coordinator.acknowledge(1, SOURCE, "s", METRICS);
        coordinator.onFinalized(completed(coordinator.acknowledge(1, SINK, "k", METRICS)));
        now = 1_200;

        CheckpointCoordinator.TriggerDecision decision = coordinator.tryTrigger(true);

        assertThat(decision).isInstanceOf(CheckpointCoordinator.TriggerDecision.NotNow.class);
        assertThat(((CheckpointCoordinator.TriggerDecision.NotNow) decision).retryAtMillis()).hasValue(1_500);
        assertThat(triggered(coordinator.tryTrigger(false))).as("a requested checkpoint ignores min-pause").isEqualTo(2);
        coordinator.decline(2, SINK, CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED);
        now = 1_500;
        assertThat(triggered(coordinator.tryTrigger(true))).isEqualTo(3);
    }

    @Test
    @DisplayName("K6: completing a checkpoint subsumes older pending ones; retention evicts the oldest")
    void rule_K6_when_a_newer_checkpoint_completes_then_older_pending_ones_are_subsumed() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults().withMaxConcurrent(3).withRetained(1));
        triggered(coordinator.tryTrigger(true));
        triggered(coordinator.tryTrigger(true));
        triggered(coordinator.tryTrigger(true));
        coordinator.acknowledge(2, SOURCE, "s", METRICS);
        CompletedCheckpoint<String> second = completed(coordinator.acknowledge(2, SINK, "k", METRICS));

        CheckpointCoordinator.Finalized<String> finalized = coordinator.onFinalized(second);

        assertThat(finalized.subsumed()).containsExactly(1L);
        assertThat(coordinator.pendingIds()).containsExactly(3L);
        coordinator.acknowledge(3, SOURCE, "s", METRICS);
        CheckpointCoordinator.Finalized<String> third = coordinator.onFinalized(completed(coordinator.acknowledge(3, SINK, "k", METRICS)));
        assertThat(third.evicted()).extracting(CompletedCheckpoint::id).containsExactly(2L);
        assertThat(coordinator.retained()).extracting(CompletedCheckpoint::id).containsExactly(3L);
        assertThat(coordinator.acknowledge(1, SINK, "late", METRICS)).isInstanceOf(CheckpointCoordinator.Outcome.Ignored.class);
    }

    @Test
    @DisplayName("K7: a decline aborts the checkpoint; the next one proceeds")
    void rule_K7_when_a_subtask_declines_then_the_checkpoint_aborts_and_the_next_proceeds() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults().withTolerableFailures(1));
        triggered(coordinator.tryTrigger(true));

        CheckpointCoordinator.Outcome outcome = coordinator.decline(1, SINK, CheckpointFailureReason.CHECKPOINT_DECLINED);

        assertThat(outcome).isEqualTo(new CheckpointCoordinator.Outcome.Aborted(1, CheckpointFailureReason.CHECKPOINT_DECLINED, false));
        assertThat(coordinator.acknowledge(1, SOURCE, "s", METRICS)).isInstanceOf(CheckpointCoordinator.Outcome.Ignored.class);
        assertThat(triggered(coordinator.tryTrigger(true))).isEqualTo(2);
    }

    @Test
    @DisplayName("K8: more consecutive counted failures than tolerated fail the job; uncounted ones never do")
    void rule_K8_when_failures_exceed_the_tolerable_count_then_the_job_fails() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults().withTolerableFailures(1));
        triggered(coordinator.tryTrigger(true));
        assertThat(coordinator.decline(1, SINK, CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED))
                .isEqualTo(new CheckpointCoordinator.Outcome.Aborted(1, CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED, false));
        triggered(coordinator.tryTrigger(true));
        assertThat(coordinator.expire(2)).isEqualTo(new CheckpointCoordinator.Outcome.Aborted(2, CheckpointFailureReason.CHECKPOINT_EXPIRED, false));
        triggered(coordinator.tryTrigger(true));

        CheckpointCoordinator.Outcome outcome = coordinator.expire(3);

        assertThat(outcome).isEqualTo(new CheckpointCoordinator.Outcome.Aborted(3, CheckpointFailureReason.CHECKPOINT_EXPIRED, true));
        assertThat(coordinator.consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void when_checkpoints_are_finalized_out_of_order_then_the_newest_are_retained() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults().withRetained(1));
        triggered(coordinator.tryTrigger(true));
        coordinator.acknowledge(1, SOURCE, "s", METRICS);
        CompletedCheckpoint<String> first = completed(coordinator.acknowledge(1, SINK, "k", METRICS));
        triggered(coordinator.tryTrigger(true));
        coordinator.acknowledge(2, SOURCE, "s", METRICS);
        CompletedCheckpoint<String> second = completed(coordinator.acknowledge(2, SINK, "k", METRICS));

        coordinator.onFinalized(second);
        CheckpointCoordinator.Finalized<String> late = coordinator.onFinalized(first);

        assertThat(late.evicted()).extracting(CompletedCheckpoint::id).containsExactly(1L);
        assertThat(coordinator.latest()).map(CompletedCheckpoint::id).contains(2L);
    }

    @Test
    void when_a_checkpoint_completes_then_the_failure_count_resets() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults().withTolerableFailures(1));
        triggered(coordinator.tryTrigger(true));
        coordinator.expire(1);
        triggered(coordinator.tryTrigger(true));
        coordinator.acknowledge(2, SOURCE, "s", METRICS);
        coordinator.onFinalized(completed(coordinator.acknowledge(2, SINK, "k", METRICS)));
        triggered(coordinator.tryTrigger(true));

        assertThat(coordinator.expire(3)).isEqualTo(new CheckpointCoordinator.Outcome.Aborted(3, CheckpointFailureReason.CHECKPOINT_EXPIRED, false));
        triggered(coordinator.tryTrigger(false));
        coordinator.acknowledge(4, SOURCE, "s", METRICS);
        assertThat(coordinator.onFinalizeFailed(completed(coordinator.acknowledge(4, SINK, "k", METRICS)))).isEqualTo(
                new CheckpointCoordinator.Outcome.Aborted(4, CheckpointFailureReason.FINALIZE_CHECKPOINT_FAILURE, true));
    }

    @Test
    void when_a_subtask_finishes_then_it_is_triggered_directly_for_pending_and_later_checkpoints() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults().withMaxConcurrent(2));
        triggered(coordinator.tryTrigger(true));

        List<dev.snapflow.serialization.event.CheckpointBarrier> pendingForSink = coordinator.onSubtaskFinished(SINK);

        assertThat(pendingForSink).extracting(dev.snapflow.serialization.event.CheckpointBarrier::id).containsExactly(1L);
        CheckpointCoordinator.TriggerDecision next = coordinator.tryTrigger(true);
        assertThat(((CheckpointCoordinator.TriggerDecision.Trigger) next).targets()).containsExactlyInAnyOrder(SOURCE, SINK);
    }

    private static final CheckpointStorageLocationReference SAVEPOINT_DIRECTORY =
            CheckpointStorageLocationReference.of("/savepoints/sp-1".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    private static long savepoint(CheckpointCoordinator<String> coordinator,
                                  SavepointType.PostAction action) {
        return coordinator.triggerSavepoint(new SavepointType(action,
                SavepointFormatType.CANONICAL), SAVEPOINT_DIRECTORY).barrier().id();
    }

    @Test
    void a_savepoint_starts_despite_max_concurrent_and_min_pause_and_is_aligned_at_its_own_location() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults().withMinPause(Duration.ofHours(1)));
        triggered(coordinator.tryTrigger(true));

        CheckpointCoordinator.TriggerDecision.Trigger trigger = coordinator.triggerSavepoint(
                SavepointType.savepoint(SavepointFormatType.CANONICAL),
                SAVEPOINT_DIRECTORY);

        assertThat(trigger.barrier().id()).isEqualTo(2);
        assertThat(trigger.barrier().options().alignment()).isEqualTo(AlignmentType.ALIGNED);
        assertThat(trigger.barrier().options().targetLocation()).isEqualTo(SAVEPOINT_DIRECTORY);
        assertThat(coordinator.pendingIds()).containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    void a_savepoint_is_neither_retained_nor_subsumed_and_does_not_subsume() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults().withMaxConcurrent(3));
        long savepoint = savepoint(coordinator, SavepointType.PostAction.NONE);
        triggered(coordinator.tryTrigger(false));
        coordinator.acknowledge(2, SOURCE, "s", METRICS);
        CheckpointCoordinator.Finalized<String> checkpoint = coordinator.onFinalized(completed(coordinator.acknowledge(2, SINK, "k", METRICS)));
        assertThat(checkpoint.subsumed()).as("a pending savepoint is never subsumed").isEmpty();
        triggered(coordinator.tryTrigger(false));

        coordinator.acknowledge(savepoint, SOURCE, "s", METRICS);
        CompletedCheckpoint<String> completed = completed(coordinator.acknowledge(savepoint, SINK, "k", METRICS));
        CheckpointCoordinator.Finalized<String> finalized = coordinator.onFinalized(completed);

        assertThat(completed.isSavepoint()).isTrue();
        assertThat(finalized.subsumed()).as("checkpoint 3 goes on").isEmpty();
        assertThat(finalized.evicted()).isEmpty();
        assertThat(coordinator.retained()).extracting(CompletedCheckpoint::id).containsExactly(2L);
        assertThat(coordinator.pendingIds()).containsExactly(3L);
    }

    @Test
    void a_savepoint_that_stops_the_job_subsumes_older_pending_checkpoints() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults().withMaxConcurrent(2));
        triggered(coordinator.tryTrigger(false));
        long stop = savepoint(coordinator, SavepointType.PostAction.SUSPEND);
        coordinator.acknowledge(stop, SOURCE, "s", METRICS);

        CheckpointCoordinator.Finalized<String> finalized = coordinator.onFinalized(
                completed(coordinator.acknowledge(stop, SINK, "k", METRICS)));

        assertThat(finalized.subsumed()).containsExactly(1L);
        assertThat(coordinator.retained()).isEmpty();
    }

    @Test
    void a_failed_savepoint_does_not_count_toward_failing_the_job() {
        CheckpointCoordinator<String> coordinator = coordinator(defaults().withTolerableFailures(0));
        long savepoint = savepoint(coordinator, SavepointType.PostAction.NONE);

        assertThat(coordinator.expire(savepoint)).isEqualTo(
                new CheckpointCoordinator.Outcome.Aborted(savepoint, CheckpointFailureReason.CHECKPOINT_EXPIRED, false));
        assertThat(coordinator.consecutiveFailures()).isZero();
    }
}
