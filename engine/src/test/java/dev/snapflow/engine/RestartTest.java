package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.PoisonPill;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Adapter;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestartStrategy;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.graph.JobGraph;
import dev.snapflow.engine.job.JobMasterActor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A failed attempt is replaced by a new one from the latest checkpoint, as the restart strategy allows. */
class RestartTest {

    private static final long N = 100_000;
    /** How many records each source subtask may emit; a source with nothing allowed waits. */
    private static final AtomicLong ALLOWED_PER_SUBTASK = new AtomicLong();
    /** How many of the next records the counting function fails on, one failure per record. */
    private static final AtomicInteger FAILURES_TO_INJECT = new AtomicInteger();
    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void resetInjection() {
        ALLOWED_PER_SUBTASK.set(Long.MAX_VALUE);
        FAILURES_TO_INJECT.set(0);
    }

    private static JobGraph job() {
        JobBuilder job = JobBuilder.create("restarting").defaultParallelism(2);
        job.source("numbers", new GatedSequence(N, ALLOWED_PER_SUBTASK))
                .keyBy(value -> value % 100)
                .process("count", () -> new ReportingCount(FAILURES_TO_INJECT))
                .sink("counts", Sinks.collect());
        return job.build();
    }

    private static RuntimeSettings restarting(RestartStrategy strategy) {
        return RuntimeSettings.create(testKit.system()).withIdleSourcePollInterval(Duration.ofMillis(1))
                .withRestartStrategy(strategy);
    }

    /** Waits until the counting subtasks together took in {@code records}: all the gated sources let through. */
    private static void awaitCounted(TestProbe<Object> probe, JobHandle job, long records) {
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            assertThat(job.metrics().subtasks().stream().filter(s -> s.name().startsWith("count"))
                    .mapToLong(JobMetrics.Subtask::recordsIn).sum()).isEqualTo(records);
            return null;
        });
    }

    private static Map<Long, Long> counts(JobHandle job) throws Exception {
        List<Long> reports = job.result().toCompletableFuture().get(60, TimeUnit.SECONDS).collected("counts");
        return ReportingCount.decode(reports);
    }

    @Test
    void when_an_attempt_fails_after_a_checkpoint_then_the_next_one_resumes_from_it_and_counts_every_record_once()
            throws Exception {
        ALLOWED_PER_SUBTASK.set(N / 4);
        JobHandle job = Snapflow.submit(testKit.system(), job(), restarting(RestartStrategy.fixedDelay(1, Duration.ZERO)),
                CheckpointSettings.create(testKit.system()).withoutInterval());
        TestProbe<Object> probe = testKit.createTestProbe();
        awaitCounted(probe, job, N / 2);
        job.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        FAILURES_TO_INJECT.set(1);
        ALLOWED_PER_SUBTASK.set(Long.MAX_VALUE);

        Map<Long, Long> counts = counts(job);

        assertThat(counts).hasSize(100).allSatisfy((key, count) -> assertThat(count).isEqualTo(N / 100));
        assertThat(job.failedAttempts()).singleElement().satisfies(failure -> {
            assertThat(failure.attempt()).isEqualTo(1);
            assertThat(failure.operatorName()).isEqualTo("count");
            assertThat(failure.restarted()).isTrue();
            assertThat(failure.cause()).hasStackTraceContaining("injected failure");
        });
        assertThat(job.metrics().subtasks()).filteredOn(s -> s.name().startsWith("numbers"))
                .as("the second attempt's sources read only what came after the checkpoint")
                .extracting(JobMetrics.Subtask::recordsIn).containsOnly(N / 4);
    }

    @Test
    void when_an_attempt_fails_before_any_checkpoint_then_the_next_one_starts_from_the_beginning() throws Exception {
        FAILURES_TO_INJECT.set(1);
        JobHandle job = Snapflow.submit(testKit.system(), job(), restarting(RestartStrategy.fixedDelay(1, Duration.ZERO)),
                CheckpointSettings.create(testKit.system()).withoutInterval());

        Map<Long, Long> counts = counts(job);

        assertThat(counts).hasSize(100).allSatisfy((key, count) -> assertThat(count).isEqualTo(N / 100));
        assertThat(job.failedAttempts()).extracting(JobAttemptFailure::restarted).containsExactly(true);
    }

    @Test
    void when_the_restart_attempts_are_used_up_then_the_job_fails_with_the_last_cause() {
        FAILURES_TO_INJECT.set(Integer.MAX_VALUE); // every attempt fails
        JobHandle job = Snapflow.submit(testKit.system(), job(), restarting(RestartStrategy.fixedDelay(2, Duration.ZERO)),
                CheckpointSettings.create(testKit.system()).withoutInterval());

        assertThatThrownBy(() -> job.result().toCompletableFuture().get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(JobExecutionException.class)
                .hasStackTraceContaining("injected failure");
        assertThat(job.failedAttempts()).extracting(JobAttemptFailure::attempt).containsExactly(1, 2, 3);
        assertThat(job.failedAttempts()).extracting(JobAttemptFailure::restarted).containsExactly(true, true, false);
    }

    @Test
    void when_the_restart_delay_has_not_passed_then_no_new_attempt_runs() throws Exception {
        FAILURES_TO_INJECT.set(1);
        JobHandle job = Snapflow.submit(testKit.system(), job(), restarting(RestartStrategy.fixedDelay(1, Duration.ofHours(1))),
                CheckpointSettings.create(testKit.system()).withoutInterval());
        TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            assertThat(job.failedAttempts()).hasSize(1);
            return null;
        });
        TestProbe<JobMasterActor.JobActors> actors = testKit.createTestProbe();

        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            job.jobMaster().tell(new JobMasterActor.ListJobActors(actors.getRef()));
            assertThat(actors.receiveMessage().actors()).as("the failed attempt is gone, the next waits its delay").isEmpty();
            return null;
        });
        assertThat(job.result().toCompletableFuture()).isNotDone();
        job.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void when_an_attempt_restarts_then_its_checkpoint_ids_continue_above_the_failed_attempts() throws Exception {
        ALLOWED_PER_SUBTASK.set(N / 4);
        JobHandle job = Snapflow.submit(testKit.system(), job(), restarting(RestartStrategy.fixedDelay(1, Duration.ZERO)),
                CheckpointSettings.create(testKit.system()).withoutInterval());
        TestProbe<Object> probe = testKit.createTestProbe();
        awaitCounted(probe, job, N / 2);
        assertThat(job.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS).id()).isEqualTo(1);
        FAILURES_TO_INJECT.set(1);
        ALLOWED_PER_SUBTASK.set(N / 4 + 1);
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            assertThat(job.failedAttempts()).hasSize(1);
            return null;
        });

        // Requested while the next attempt may still be starting: it waits for that attempt.
        long next = job.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS).id();
        ALLOWED_PER_SUBTASK.set(Long.MAX_VALUE);

        assertThat(next).isEqualTo(2);
        assertThat(counts(job)).hasSize(100).allSatisfy((key, count) -> assertThat(count).isEqualTo(N / 100));
    }

    @ParameterizedTest(name = "a {0} actor")
    @ValueSource(strings = {"channel-", "subtask-"})
    void when_an_actor_of_the_job_is_killed_then_the_job_restarts_from_its_checkpoint_and_counts_every_record_once(
            String victim) throws Exception {
        ALLOWED_PER_SUBTASK.set(N / 4);
        JobHandle job = Snapflow.submit(testKit.system(), job(), restarting(RestartStrategy.fixedDelay(1, Duration.ZERO)),
                CheckpointSettings.create(testKit.system()).withoutInterval());
        TestProbe<Object> probe = testKit.createTestProbe();
        awaitCounted(probe, job, N / 2);
        job.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        TestProbe<JobMasterActor.JobActors> actors = testKit.createTestProbe();
        job.jobMaster().tell(new JobMasterActor.ListJobActors(actors.getRef()));
        ActorRef<?> killed = actors.receiveMessage().actors().stream()
                .filter(actor -> actor.path().name().startsWith(victim)).findFirst().orElseThrow();

        Adapter.toClassic(killed).tell(PoisonPill.getInstance(), akka.actor.ActorRef.noSender());
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            assertThat(job.failedAttempts()).hasSize(1);
            return null;
        });
        ALLOWED_PER_SUBTASK.set(Long.MAX_VALUE);

        assertThat(counts(job)).hasSize(100).allSatisfy((key, count) -> assertThat(count).isEqualTo(N / 100));
        assertThat(job.failedAttempts()).singleElement().satisfies(failure -> {
            assertThat(failure.operatorName()).isEqualTo(killed.path().name());
            assertThat(failure.cause()).hasMessageContaining("stopped unexpectedly");
            assertThat(failure.restarted()).isTrue();
        });
    }
}
