package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.job.JobMasterActor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FailureAndCancelTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @Test
    void when_a_user_function_throws_then_the_result_fails_with_that_exception_and_names_the_operator() {
        IllegalStateException boom = new IllegalStateException("boom at 777");
        JobBuilder job = JobBuilder.create("failing");
        job.source("numbers", Sources.sequence(1, 10_000)).parallelism(2)
                .rebalance().map("explode", x -> {
                    if (x == 777) {
                        throw boom;
                    }
                    return x;
                }).parallelism(2)
                .sink("out", Sinks.discard()).parallelism(2);

        JobHandle handle = Snapflow.submit(testKit.system(), job.build());

        assertThatThrownBy(() -> handle.result().toCompletableFuture().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(JobExecutionException.class)
                .hasMessageStartingWith("Job 'failing' failed: operator 'explode' subtask ")
                .hasCause(boom)
                .satisfies(e -> assertThat(((JobExecutionException) e).operatorName()).isEqualTo("explode"));
        handle.terminated().toCompletableFuture().join();
    }

    @Test
    void when_a_source_fails_to_open_then_the_job_fails_naming_the_source() {
        JobBuilder job = JobBuilder.create("bad-file");
        job.source("lines", Sources.fileLines(java.nio.file.Path.of("does/not/exist.txt"))).sink("out", Sinks.discard());

        JobHandle handle = Snapflow.submit(testKit.system(), job.build());

        assertThatThrownBy(() -> handle.result().toCompletableFuture().get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(JobExecutionException.class)
                .hasMessageContaining("operator 'lines' subtask 1/1")
                .hasCauseInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void when_a_job_is_cancelled_then_every_actor_of_it_terminates() {
        JobBuilder job = JobBuilder.create("endless");
        job.source("forever", Sources.generator(Long.MAX_VALUE, i -> i)).parallelism(2)
                .keyBy(x -> x % 10).map("touch", x -> x).parallelism(2)
                .sink("out", Sinks.discard()).parallelism(2);
        JobHandle handle = Snapflow.submit(testKit.system(), job.build());
        TestProbe<JobMasterActor.JobActors> actorsProbe = testKit.createTestProbe();
        TestProbe<Object> watcher = testKit.createTestProbe();
        // Wait until the job is deployed and data is flowing: every channel has delivered something.
        watcher.awaitAssert(Duration.ofSeconds(10), () -> {
            assertThat(handle.metrics().channels()).hasSize(4)
                    .allSatisfy(channel -> assertThat(channel.deliveredBuffers()).isPositive());
            return null;
        });
        handle.jobMaster().tell(new JobMasterActor.ListJobActors(actorsProbe.getRef()));
        JobMasterActor.JobActors actors = actorsProbe.receiveMessage();
        assertThat(actors.actors()).as("4 subtasks, 4 channels, the checkpoint coordinator").hasSize(4 + 4 + 1);

        handle.cancel().toCompletableFuture().join();

        for (ActorRef<?> actor : actors.actors()) {
            watcher.expectTerminated(actor, Duration.ofSeconds(5));
        }
        watcher.expectTerminated(handle.jobMaster(), Duration.ofSeconds(5));
        assertThatThrownBy(() -> handle.result().toCompletableFuture().get(5, TimeUnit.SECONDS))
                .cause().isInstanceOf(CancellationException.class).hasMessage("Job 'endless' was cancelled");
    }
}
