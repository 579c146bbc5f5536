package dev.snapflow.engine.testing;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestartStrategy;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.serialization.record.Tuple2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole jobs in the test kit's system: fed by the test, read through a probe, checkpointed on demand. */
class JobTestKitTest {

    private static ActorTestKit testKit;
    private static JobTestKit jobs;
    private static final AtomicBoolean failOnBang = new AtomicBoolean();

    @TempDir
    Path directory;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
        jobs = JobTestKit.create(testKit);
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    /** Counts words; the word "!" throws once while armed. */
    static final class CountWords implements KeyedProcessFunction<String, String, Tuple2<String, Long>> {
        @Override
        public void processElement(String word, Context<String> context, Collector<Tuple2<String, Long>> out) {
            if (word.equals("!") && failOnBang.compareAndSet(true, false)) {
                throw new IllegalStateException("injected");
            }
            ValueState<Long> count = context.keyedState().state(FunctionTestHarnessTest.COUNT);
            long next = count.value() == null ? 1 : count.value() + 1;
            count.update(next);
            out.collect(Tuple2.of(word, next));
        }
    }

    @Test
    void a_job_fed_by_the_test_answers_on_a_probe_checkpoints_and_ends() throws Exception {
        TestInput<String> words = jobs.input();
        TestProbe<Tuple2<String, Long>> counts = testKit.createTestProbe();
        JobBuilder job = JobBuilder.create("test-kit");
        job.source("words", words.source()).parallelism(1)
                .keyBy((String word) -> word).process("count", CountWords::new).parallelism(2)
                .sink("out", jobs.probeSink(counts)).parallelism(2);
        JobHandle handle = jobs.submit(job.build(), RuntimeSettings.create(testKit.system()),
                CheckpointSettings.create(testKit.system()).withoutInterval().withDirectory(directory.resolve("checkpoints")));

        words.add("to", "be");
        assertThat(counts.receiveSeveralMessages(2)).containsExactlyInAnyOrder(Tuple2.of("to", 1L), Tuple2.of("be", 1L));
        assertThat(jobs.checkpoint(handle).status()).isEqualTo(CheckpointStats.Status.COMPLETED);
        words.add("to");
        counts.expectMessage(Tuple2.of("to", 2L));
        Path savepoint = jobs.savepoint(handle, directory.resolve("savepoints"));
        assertThat(Files.isDirectory(savepoint)).isTrue();
        words.end();
        jobs.awaitResult(handle);
        counts.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void what_the_test_adds_wakes_the_source_at_once() throws Exception {
        TestInput<String> words = jobs.input();
        TestProbe<String> out = testKit.createTestProbe();
        JobBuilder job = JobBuilder.create("test-kit-wake-up");
        job.source("words", words.source()).parallelism(1).sink("out", jobs.probeSink(out));
        // Neither the idle poll nor the flush timer comes within the test's timeout.
        JobHandle handle = jobs.submit(job.build(), RuntimeSettings.create(testKit.system())
                        .withIdleSourcePollInterval(Duration.ofHours(1)).withFlushTimeout(Duration.ofHours(1)),
                CheckpointSettings.create(testKit.system()).withoutInterval());

        words.add("first");
        out.expectMessage("first");
        words.add("second");
        out.expectMessage("second");
        words.end();
        jobs.awaitResult(handle);
    }

    @Test
    void a_restarted_job_reads_the_test_input_again_from_its_checkpoint() throws Exception {
        TestInput<String> words = jobs.input();
        TestProbe<Tuple2<String, Long>> counts = testKit.createTestProbe();
        JobBuilder job = JobBuilder.create("test-kit-restart");
        job.source("words", words.source()).parallelism(1)
                .keyBy((String word) -> word).process("count", CountWords::new).parallelism(1)
                .sink("out", jobs.probeSink(counts));
        JobHandle handle = jobs.submit(job.build(),
                RuntimeSettings.create(testKit.system()).withRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ofMillis(10))),
                CheckpointSettings.create(testKit.system()).withoutInterval().withDirectory(directory));

        words.add("a", "b");
        counts.receiveSeveralMessages(2);
        jobs.checkpoint(handle);
        failOnBang.set(true);
        words.add("a", "!", "b").end();
        jobs.awaitResult(handle);

        // "a" after the checkpoint was counted before the failure and again after the restart, from the same state.
        assertThat(counts.receiveSeveralMessages(4)).containsExactly(
                Tuple2.of("a", 2L), Tuple2.of("a", 2L), Tuple2.of("!", 1L), Tuple2.of("b", 2L));
        assertThat(handle.failedAttempts()).hasSize(1);
    }
}
