package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.ProcessFunction;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestartStrategy;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.FileSink;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Subtasks that finished before a checkpoint are deployed as finished when the job restarts from
 * it: they emit nothing again, {@code finish} above all, while the rest of the job goes on.
 */
class FinishedTasksRestoreTest {

    private static final long SHORT = 1_000;
    private static final long LONG = 20_000;
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

    /** Passes records on and, when its input ends, emits a summary line. */
    static final class Summarize implements ProcessFunction<Long, String> {
        private long seen;
        private int subtask;

        @Override
        public void open(dev.snapflow.engine.api.RuntimeContext context) {
            subtask = context.subtaskIndex();
        }

        @Override
        public void processElement(Long value, Context context, Collector<String> out) {
            seen++;
            out.collect("value " + value);
        }

        @Override
        public void finish(Collector<String> out) {
            out.collect("finished subtask " + subtask + " after " + seen);
        }
    }

    @Test
    void when_a_job_restarts_from_a_checkpoint_taken_after_a_pipeline_finished_then_that_pipeline_emits_nothing_again()
            throws Exception {
        AtomicLong allowed = new AtomicLong(LONG / 4);
        AtomicInteger failures = new AtomicInteger();
        JobBuilder builder = JobBuilder.create("short-and-long").defaultParallelism(2);
        builder.source("short-numbers", Sources.sequence(1, SHORT))
                .process("summarize", Summarize::new)
                .sink("short-files", FileSink.lines(work.resolve("short")));
        builder.source("long-numbers", new GatedSequence(LONG, allowed)).parallelism(1)
                .keyBy(value -> value % 10)
                .process("sum", () -> new RunningSum(failures))
                .sink("long-files", FileSink.lines(work.resolve("long")));
        JobHandle job = Snapflow.submit(testKit.system(), builder.build(),
                RuntimeSettings.create(testKit.system()).withIdleSourcePollInterval(Duration.ofMillis(1))
                        .withRestartStrategy(RestartStrategy.fixedDelay(2, Duration.ofMillis(10))),
                CheckpointSettings.create(testKit.system()).withDirectory(work.resolve("checkpoints")));

        // The short pipeline finishes; a checkpoint taken after that commits its output and says so.
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
            job.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(FileSink.committedLines(work.resolve("short"))).hasSize((int) SHORT + 2);
            return null;
        });
        job.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(20, TimeUnit.SECONDS);

        // Now the long pipeline fails once; the job restarts from that checkpoint.
        failures.set(1);
        allowed.set(Long.MAX_VALUE);
        job.result().toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(job.failedAttempts()).hasSize(1);
        List<String> expected = new ArrayList<>(LongStream.rangeClosed(1, SHORT).mapToObj(value -> "value " + value).toList());
        expected.add("finished subtask 0 after " + SHORT / 2);
        expected.add("finished subtask 1 after " + SHORT / 2);
        assertThat(FileSink.committedLines(work.resolve("short"))).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(FileSink.committedLines(work.resolve("long")).stream().sorted().toList())
                .isEqualTo(RunningSum.expectedLines(LONG, 10).stream().sorted().toList());
    }

    @Test
    void a_job_that_chains_a_new_operator_to_finished_ones_is_refused_naming_them() throws Exception {
        JobBuilder finishing = JobBuilder.create("finishing").defaultParallelism(2);
        finishing.source("short-numbers", Sources.sequence(1, SHORT))
                .process("summarize", Summarize::new)
                .sink("short-files", FileSink.lines(work.resolve("short")));
        CheckpointSettings checkpoints = CheckpointSettings.create(testKit.system()).withDirectory(work.resolve("checkpoints"));
        JobHandle job = Snapflow.submit(testKit.system(), finishing.build(), RuntimeSettings.create(testKit.system()), checkpoints);
        job.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
        job.terminated().toCompletableFuture().get(30, TimeUnit.SECONDS);

        // Its final checkpoint has every operator finished; the new job adds one to their chain.
        JobBuilder extended = JobBuilder.create("finishing").defaultParallelism(2);
        extended.source("short-numbers", Sources.sequence(1, SHORT))
                .process("summarize", Summarize::new)
                .map("extra", line -> line)
                .sink("short-files", FileSink.lines(work.resolve("short")));

        assertThatThrownBy(() -> Snapflow.submitFromCheckpoint(testKit.system(), extended.build(),
                work.resolve("checkpoints").resolve(job.jobId()), RuntimeSettings.create(testKit.system()), checkpoints))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has operators 'short-numbers', 'summarize', 'short-files' finished and 'extra' not")
                .hasMessageContaining("keep them in separate chains");
    }
}
