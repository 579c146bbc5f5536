package dev.snapflow.engine.checkpoint.coordinator;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.engine.storage.InMemoryCheckpointStorage;
import dev.snapflow.engine.storage.StateHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The coordinator actor with probes as subtasks and job, on manual time. */
class CheckpointCoordinatorActorTest {

    private static final SubtaskId SOURCE = new SubtaskId(0, 0);
    private static final SubtaskId SINK = new SubtaskId(1, 0);
    private static final SubtaskCheckpointMetrics METRICS = new SubtaskCheckpointMetrics(0, 0, 0, 0, 3);

    private static ActorTestKit testKit;
    private static ManualTime manualTime;

    private TestProbe<CheckpointProtocol.SubtaskCheckpointCommand> source;
    private TestProbe<CheckpointProtocol.SubtaskCheckpointCommand> sink;
    private TestProbe<CheckpointProtocol.CoordinatorEvent> job;
    private InMemoryCheckpointStorage storage;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
        manualTime = ManualTime.get(testKit.system());
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    private static CheckpointSettings settings() {
        return CheckpointSettings.create(ConfigFactory.load()).withInterval(Duration.ofMillis(100));
    }

    private ActorRef<CheckpointCoordinatorActor.Command> coordinator(CheckpointSettings settings) {
        source = testKit.createTestProbe();
        sink = testKit.createTestProbe();
        job = testKit.createTestProbe();
        storage = new InMemoryCheckpointStorage();
        return testKit.spawn(CheckpointCoordinatorActor.create("job", settings,
                Map.of(SOURCE, source.getRef(), SINK, sink.getRef()), Set.of(SOURCE),
                Map.of(SOURCE, "source (1/1)", SINK, "sink (1/1)"), storage, job.getRef()));
    }

    /** Lets the interval pass and returns the id the source is triggered with, skipping notifications. */
    private long expectTrigger() {
        manualTime.timePasses(Duration.ofMillis(100));
        return nextTrigger();
    }

    /** The id of the next trigger the source receives, skipping notifications. */
    private long nextTrigger() {
        while (true) {
            CheckpointProtocol.SubtaskCheckpointCommand command = source.receiveMessage();
            if (command instanceof CheckpointProtocol.TriggerCheckpoint trigger) {
                return trigger.barrier().id();
            }
        }
    }

    private StateHandle written(long id, SubtaskId subtask, SubtaskState state) {
        try {
            return storage.writeState(id, subtask, state);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void acknowledgeBoth(ActorRef<CheckpointCoordinatorActor.Command> coordinator, long id) {
        for (SubtaskId subtask : List.of(SOURCE, SINK)) {
            StateHandle handle = written(id, subtask, SubtaskState.of(Map.of("op", new byte[] {1, 2, 3})));
            coordinator.tell(new CheckpointCoordinatorActor.AcknowledgeCheckpoint(subtask, id, handle, METRICS));
        }
    }

    @Test
    @DisplayName("K1, K4, K5: periodic triggers; a fully acknowledged checkpoint is written and announced")
    void rule_K5_when_every_subtask_acknowledges_then_the_checkpoint_completes_and_everyone_hears() {
        ActorRef<CheckpointCoordinatorActor.Command> coordinator = coordinator(settings());

        long id = expectTrigger();
        acknowledgeBoth(coordinator, id);

        CheckpointStats stats = ((CheckpointProtocol.CheckpointFinished) job.receiveMessage()).stats();
        assertThat(stats.id()).isEqualTo(1);
        assertThat(stats.status()).isEqualTo(CheckpointStats.Status.COMPLETED);
        assertThat(stats.stateBytes()).isEqualTo(6);
        assertThat(stats.subtasks()).extracting(CheckpointStats.Subtask::name).containsExactly("sink (1/1)", "source (1/1)");
        assertThat(source.expectMessageClass(CheckpointProtocol.NotifyCheckpointComplete.class).checkpointId()).isEqualTo(1);
        assertThat(sink.expectMessageClass(CheckpointProtocol.NotifyCheckpointComplete.class).checkpointId()).isEqualTo(1);
        assertThat(storage.completedCheckpointIds()).containsExactly(1L);
        sink.expectNoMessage(Duration.ZERO);
        assertThat(expectTrigger()).isEqualTo(2);
    }

    @Test
    @DisplayName("K2: no periodic trigger while max-concurrent checkpoints are pending")
    void rule_K2_when_a_checkpoint_is_pending_then_the_next_tick_does_not_trigger() {
        coordinator(settings());
        expectTrigger();

        manualTime.timePasses(Duration.ofMillis(100));

        source.expectNoMessage(Duration.ZERO);
    }

    @Test
    @DisplayName("K7: a checkpoint that outlives its timeout is aborted everywhere; the next one proceeds")
    void rule_K7_when_the_timeout_passes_then_the_checkpoint_is_aborted() {
        ActorRef<CheckpointCoordinatorActor.Command> coordinator = coordinator(settings()
                .withTimeout(Duration.ofMillis(250)).withTolerableFailures(5));
        long id = expectTrigger();
        coordinator.tell(new CheckpointCoordinatorActor.AcknowledgeCheckpoint(SOURCE, id,
                written(id, SOURCE, SubtaskState.empty()), METRICS));

        manualTime.timePasses(Duration.ofMillis(250));

        CheckpointStats stats = ((CheckpointProtocol.CheckpointFinished) job.receiveMessage()).stats();
        assertThat(stats.status()).isEqualTo(CheckpointStats.Status.FAILED);
        assertThat(stats.failureReason()).hasValue("CHECKPOINT_EXPIRED");
        assertThat(source.expectMessageClass(CheckpointProtocol.NotifyCheckpointAborted.class).checkpointId()).isEqualTo(id);
        assertThat(storage.completedCheckpointIds()).isEmpty();
        assertThat(expectTrigger()).isEqualTo(2);
    }

    @Test
    @DisplayName("K7: a decline aborts the checkpoint and the next one proceeds")
    void rule_K7_when_a_subtask_declines_then_the_checkpoint_aborts_and_the_next_proceeds() {
        ActorRef<CheckpointCoordinatorActor.Command> coordinator = coordinator(settings().withTolerableFailures(1));
        long id = expectTrigger();

        coordinator.tell(new CheckpointCoordinatorActor.DeclineCheckpoint(SINK, id, CheckpointFailureReason.CHECKPOINT_DECLINED, "test"));

        assertThat(((CheckpointProtocol.CheckpointFinished) job.receiveMessage()).stats().failureReason())
                .hasValue("CHECKPOINT_DECLINED: declined by sink (1/1): test");
        sink.expectMessage(new CheckpointProtocol.NotifyCheckpointAborted(id));
        long next = expectTrigger();
        acknowledgeBoth(coordinator, next);
        assertThat(((CheckpointProtocol.CheckpointFinished) job.receiveMessage()).stats().status())
                .isEqualTo(CheckpointStats.Status.COMPLETED);
    }

    @Test
    @DisplayName("K8: one counted failure more than tolerated fails the job")
    void rule_K8_when_failures_exceed_the_tolerable_count_then_the_job_is_told_to_fail() {
        ActorRef<CheckpointCoordinatorActor.Command> coordinator = coordinator(settings().withTolerableFailures(1));
        for (int attempt = 1; attempt <= 2; attempt++) {
            long id = expectTrigger();
            coordinator.tell(new CheckpointCoordinatorActor.DeclineCheckpoint(SINK, id, CheckpointFailureReason.CHECKPOINT_DECLINED, "no"));
            job.expectMessageClass(CheckpointProtocol.CheckpointFinished.class);
        }

        CheckpointProtocol.FailJob failJob = job.expectMessageClass(CheckpointProtocol.FailJob.class);
        assertThat(failJob.checkpointId()).isEqualTo(2);
        assertThat(failJob.message()).startsWith("Checkpoint 2 failed (CHECKPOINT_DECLINED: declined by ")
                .contains(": no), one more than the 1 failed checkpoints in a row the job tolerates");
    }

    @Test
    @DisplayName("K6: with retained = 2, the third completed checkpoint deletes the first from storage")
    void rule_K6_when_more_checkpoints_complete_than_retained_then_the_oldest_are_deleted() {
        ActorRef<CheckpointCoordinatorActor.Command> coordinator = coordinator(settings().withRetained(2));
        for (int i = 1; i <= 3; i++) {
            long id = expectTrigger();
            acknowledgeBoth(coordinator, id);
            job.expectMessageClass(CheckpointProtocol.CheckpointFinished.class);
        }

        job.awaitAssert(() -> {
            assertThat(storage.completedCheckpointIds()).containsExactly(2L, 3L);
            return null;
        });
    }

    @Test
    void when_a_checkpoint_is_requested_then_the_requester_hears_when_it_completed() {
        ActorRef<CheckpointCoordinatorActor.Command> coordinator = coordinator(settings().withoutInterval());
        TestProbe<CheckpointCoordinatorActor.CheckpointResult> requester = testKit.createTestProbe();

        coordinator.tell(new CheckpointCoordinatorActor.RequestCheckpoint(requester.getRef()));
        long id = source.expectMessageClass(CheckpointProtocol.TriggerCheckpoint.class).barrier().id();
        acknowledgeBoth(coordinator, id);

        assertThat(requester.expectMessageClass(CheckpointCoordinatorActor.CheckpointSucceeded.class).stats().id()).isEqualTo(id);
    }

    @Test
    void when_a_checkpoint_is_requested_while_one_is_in_progress_then_it_starts_when_that_one_ends() {
        ActorRef<CheckpointCoordinatorActor.Command> coordinator = coordinator(settings());
        TestProbe<CheckpointCoordinatorActor.CheckpointResult> requester = testKit.createTestProbe();
        long periodic = expectTrigger();

        coordinator.tell(new CheckpointCoordinatorActor.RequestCheckpoint(requester.getRef()));
        requester.expectNoMessage(Duration.ofMillis(100));
        acknowledgeBoth(coordinator, periodic);

        long requested = nextTrigger();
        assertThat(requested).isEqualTo(periodic + 1);
        acknowledgeBoth(coordinator, requested);
        assertThat(requester.expectMessageClass(CheckpointCoordinatorActor.CheckpointSucceeded.class).stats().id()).isEqualTo(requested);
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path savepoints;

    @Test
    void when_every_public_command_kind_is_sent_then_none_is_unhandled() {
        ActorRef<CheckpointCoordinatorActor.Command> coordinator = coordinator(settings().withoutInterval());
        TestProbe<akka.actor.UnhandledMessage> unhandled = testKit.createUnhandledMessageProbe();
        TestProbe<CheckpointCoordinatorActor.CheckpointResult> requester = testKit.createTestProbe();
        TestProbe<List<CheckpointStats>> statsProbe = testKit.createTestProbe();
        List<CheckpointCoordinatorActor.Command> oneOfEach = List.of(
                new CheckpointCoordinatorActor.RequestCheckpoint(requester.getRef()),
                new CheckpointCoordinatorActor.AcknowledgeCheckpoint(SOURCE, 1, written(1, SOURCE, SubtaskState.empty()), METRICS),
                new CheckpointCoordinatorActor.DeclineCheckpoint(SINK, 1, CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED, "test"),
                new CheckpointCoordinatorActor.SubtaskFinished(SINK),
                new CheckpointCoordinatorActor.GetCheckpointStats(statsProbe.getRef()),
                new CheckpointCoordinatorActor.RequestSavepoint(savepoints, dev.snapflow.serialization.event.SavepointType.PostAction.NONE,
                        testKit.<CheckpointCoordinatorActor.SavepointResult>createTestProbe().getRef()));
        List<Class<?>> publicCommands = java.util.Arrays.stream(CheckpointCoordinatorActor.Command.class.getPermittedSubclasses())
                .filter(c -> java.lang.reflect.Modifier.isPublic(c.getModifiers())).toList();
        assertThat(oneOfEach.stream().map(Object::getClass).toList()).containsExactlyInAnyOrderElementsOf(publicCommands);

        oneOfEach.forEach(coordinator::tell);

        assertThat(statsProbe.receiveMessage()).extracting(CheckpointStats::id).containsExactly(1L);
        assertThat(requester.expectMessageClass(CheckpointCoordinatorActor.CheckpointNotTaken.class).reason())
                .startsWith("CHECKPOINT_DECLINED_SUBSUMED");
        unhandled.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void when_a_subtask_finished_then_pending_checkpoints_are_sent_to_it_directly() {
        ActorRef<CheckpointCoordinatorActor.Command> coordinator = coordinator(settings());
        long id = expectTrigger();

        coordinator.tell(new CheckpointCoordinatorActor.SubtaskFinished(SINK));

        assertThat(sink.expectMessageClass(CheckpointProtocol.TriggerCheckpoint.class).barrier().id()).isEqualTo(id);
    }
}
