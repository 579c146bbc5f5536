package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.FileSink;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a user sees of a job that has ended: clear refusals, and a checkpoint directory that no longer changes. */
class JobEndTest {

    private static ActorTestKit testKit;

    @TempDir
    Path work;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @Test
    void when_a_job_has_ended_then_savepoints_and_checkpoints_are_refused_saying_so() throws Exception {
        JobBuilder builder = JobBuilder.create("short");
        builder.source("numbers", Sources.sequence(1, 100)).sink("out", Sinks.discard());
        JobHandle job = Snapflow.submit(testKit.system(), builder.build());
        job.result().toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThatThrownBy(() -> job.stopWithSavepoint(work, Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Savepoint of job 'short' not taken: the job has already ended: it finished");
        assertThatThrownBy(() -> job.triggerCheckpoint(Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .hasMessageContaining("Checkpoint of job 'short' not taken: the job has already ended: it finished");
    }

    @Test
    void when_a_cancelled_job_has_terminated_then_no_checkpoint_file_is_still_being_written() throws Exception {
        for (int run = 0; run < 5; run++) {
            Path checkpoints = work.resolve("checkpoints-" + run);
            AtomicLong allowed = new AtomicLong(Long.MAX_VALUE);
            JobBuilder builder = JobBuilder.create("cancelled").defaultParallelism(2);
            builder.source("numbers", new GatedSequence(Long.MAX_VALUE / 2, allowed))
                    .keyBy(value -> value % 1000)
                    .process("sum", () -> new RunningSum(new java.util.concurrent.atomic.AtomicInteger()))
                    .sink("files", FileSink.lines(work.resolve("output-" + run)));
            JobHandle job = Snapflow.submit(testKit.system(), builder.build(), RuntimeSettings.create(testKit.system()),
                    CheckpointSettings.create(testKit.system()).withInterval(Duration.ofMillis(2)).withDirectory(checkpoints));
            job.triggerCheckpoint(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);

            job.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);

            List<String> files = files(checkpoints);
            assertThat(files).noneMatch(name -> name.endsWith(".tmp"));
            assertThat(files(checkpoints)).as("the directory no longer changes").isEqualTo(files);
        }
    }

    private static List<String> files(Path directory) throws IOException {
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.map(path -> directory.relativize(path).toString()).sorted().toList();
        }
    }
}
