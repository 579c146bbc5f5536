package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestoreSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.graph.JobGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A job started from a checkpoint of an earlier run continues exactly where that checkpoint was taken. */
class RestoreFromCheckpointTest {

    private static final long N = 200_000;
    /** How many records each source subtask may emit; a source with nothing allowed waits. */
    private static final AtomicLong ALLOWED_PER_SUBTASK = new AtomicLong();
    private static ActorTestKit testKit;

    @TempDir(cleanup = CleanupMode.NEVER)
    Path checkpoints;

    /** Jobs of this test may still be finishing their last writes; see {@link TestDirectories}. */
    @AfterEach
    void deleteCheckpoints() {
        TestDirectories.deleteTree(checkpoints);
    }

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    private static JobGraph job(int parallelism) {
        JobBuilder job = JobBuilder.create("restorable").defaultParallelism(parallelism);
        job.source("numbers", new GatedSequence(N, ALLOWED_PER_SUBTASK))
                .keyBy(value -> value % 100)
                .process("count", ReportingCount::new)
                .sink("counts", Sinks.collect());
        return job.build();
    }

    /** The same job with its operators renamed; their uids keep the old names. */
    private static JobGraph renamedJob(int parallelism) {
        JobBuilder job = JobBuilder.create("restorable").defaultParallelism(parallelism);
        job.source("integers", new GatedSequence(N, ALLOWED_PER_SUBTASK)).uid("numbers")
                .keyBy(value -> value % 100)
                .process("tally", ReportingCount::new).uid("count")
                .sink("counts", Sinks.collect());
        return job.build();
    }

    @ParameterizedTest(name = "restored into the job {0}")
    @ValueSource(strings = {"as it was", "with renamed operators that keep their uids"})
    void when_a_job_starts_from_a_checkpoint_then_its_result_counts_every_record_exactly_once(String variant) throws Exception {
        CheckpointSettings settings = CheckpointSettings.create(testKit.system()).withoutInterval().withDirectory(checkpoints);
        RuntimeSettings runtime = RuntimeSettings.create(testKit.system()).withIdleSourcePollInterval(Duration.ofMillis(1));
        ALLOWED_PER_SUBTASK.set(N / 4);
        JobHandle first = Snapflow.submit(testKit.system(), job(2), runtime, settings);
        TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            // Both sources reached their gate and the keyed operators processed all they sent.
            assertThat(first.metrics().subtasks().stream().filter(s -> s.name().startsWith("count"))
                    .mapToLong(JobMetrics.Subtask::recordsIn).sum()).isEqualTo(N / 2);
            return null;
        });
        first.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        first.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);

        ALLOWED_PER_SUBTASK.set(Long.MAX_VALUE);
        JobGraph restored = variant.equals("as it was") ? job(2) : renamedJob(2);
        JobHandle second = Snapflow.submitFromCheckpoint(testKit.system(), restored, checkpoints.resolve(first.jobId()),
                runtime, settings);
        List<Long> reports = second.result().toCompletableFuture().get(60, TimeUnit.SECONDS).collected("counts");

        Map<Long, Long> counts = ReportingCount.decode(reports);
        assertThat(counts).hasSize(100).allSatisfy((key, count) -> assertThat(count).isEqualTo(N / 100));
        assertThat(second.metrics().subtasks()).filteredOn(s -> s.name().startsWith(restored.operator(0).name()))
                .extracting(JobMetrics.Subtask::recordsIn).containsOnly(N / 4);
    }

    private static final dev.snapflow.engine.api.StateDescriptor.Value<Long> COUNT =
            new dev.snapflow.engine.api.StateDescriptor.Value<>("count", dev.snapflow.serialization.record.RecordSerializers.longs());

    /** Counts per key in keyed state; emits the key once when its count reaches N / 100, and -1 if it ever exceeds it. */
    static final class CountToCompletion implements dev.snapflow.engine.api.KeyedProcessFunction<Long, Long, Long> {
        @Override
        public void processElement(Long value, Context<Long> context, Collector<Long> out) {
            dev.snapflow.engine.api.ValueState<Long> count = context.keyedState().state(COUNT);
            long updated = (count.value() == null ? 0 : count.value()) + 1;
            count.update(updated);
            if (updated == N / 100) {
                out.collect(context.currentKey());
            } else if (updated > N / 100) {
                out.collect(-1L);
            }
        }
    }

    private static CheckpointStats lastCompleted(JobHandle job) {
        List<CheckpointStats> stats = job.checkpointStats();
        return stats.stream().filter(checkpoint -> checkpoint.status() == CheckpointStats.Status.COMPLETED)
                .reduce((earlier, later) -> later).orElseThrow();
    }

    private static JobGraph keyedJob(int keyedParallelism) {
        JobBuilder job = JobBuilder.create("rescalable").defaultParallelism(2);
        job.source("numbers", new GatedSequence(N, ALLOWED_PER_SUBTASK))
                .keyBy(value -> value % 100)
                .process("count", CountToCompletion::new).parallelism(keyedParallelism)
                .sink("completed", Sinks.collect()).parallelism(keyedParallelism);
        return job.build();
    }

    /**
     * Two checkpoints, the second one after more records: with incremental keyed state, the one
     * restored is a chain (a full snapshot and what changed after it), read by a new job, which
     * keeps its checkpoints in a directory of its own, at another parallelism.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "keyed operator at parallelism {0}, then {1}, incremental {2}")
    @org.junit.jupiter.params.provider.CsvSource({"2, 3, false", "4, 2, false", "1, 3, false", "2, 3, true", "4, 2, true",
            "2, 2, true"})
    void when_a_keyed_operator_is_rescaled_across_a_restore_then_every_key_counts_every_record_once(
            int before, int after, boolean incremental) throws Exception {
        CheckpointSettings settings = CheckpointSettings.create(testKit.system()).withoutInterval().withDirectory(checkpoints)
                .withIncremental(incremental);
        RuntimeSettings runtime = RuntimeSettings.create(testKit.system()).withIdleSourcePollInterval(Duration.ofMillis(1));
        ALLOWED_PER_SUBTASK.set(N / 8);
        JobHandle first = Snapflow.submit(testKit.system(), keyedJob(before), runtime, settings);
        TestProbe<Object> probe = testKit.createTestProbe();
        for (long processed : new long[]{N / 4, N / 2}) {
            ALLOWED_PER_SUBTASK.set(processed / 2);
            probe.awaitAssert(Duration.ofSeconds(10), () -> {
                assertThat(first.metrics().subtasks().stream().filter(s -> s.name().startsWith("count"))
                        .mapToLong(JobMetrics.Subtask::recordsIn).sum()).isEqualTo(processed);
                return null;
            });
            first.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (incremental) {
            // A checkpoint taken before the subtasks heard the previous one completed is full: take
            // more (nothing changes, so each writes an empty delta) until one builds on a chain.
            for (int more = 0; more < 10 && lastCompleted(first).writtenBytes() == lastCompleted(first).stateBytes(); more++) {
                first.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            assertThat(lastCompleted(first).writtenBytes()).as("a checkpoint that wrote only what changed")
                    .isLessThan(lastCompleted(first).stateBytes());
        }
        first.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);

        ALLOWED_PER_SUBTASK.set(Long.MAX_VALUE);
        JobHandle second = Snapflow.submitFromCheckpoint(testKit.system(), keyedJob(after), checkpoints.resolve(first.jobId()),
                runtime, settings);
        List<Long> completed = second.result().toCompletableFuture().get(60, TimeUnit.SECONDS).collected("completed");

        assertThat(completed).doesNotContain(-1L).doesNotHaveDuplicates().hasSize(100);
    }

    @Test
    void when_the_parallelism_changed_then_the_restore_is_refused_clearly() throws Exception {
        CheckpointSettings settings = CheckpointSettings.create(testKit.system()).withoutInterval().withDirectory(checkpoints);
        ALLOWED_PER_SUBTASK.set(10);
        JobHandle first = Snapflow.submit(testKit.system(), job(2), RuntimeSettings.create(testKit.system()), settings);
        first.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        first.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThatThrownBy(() -> Snapflow.submitFromCheckpoint(testKit.system(), job(3), checkpoints.resolve(first.jobId()),
                RuntimeSettings.create(testKit.system()), settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Operator 'numbers' ran with parallelism 2")
                .hasMessageContaining("cannot be split; keep its parallelism");
    }

    @Test
    void when_a_job_is_restored_then_its_checkpoint_ids_continue_from_the_restored_one() throws Exception {
        CheckpointSettings settings = CheckpointSettings.create(testKit.system()).withoutInterval().withDirectory(checkpoints);
        ALLOWED_PER_SUBTASK.set(10);
        JobHandle first = Snapflow.submit(testKit.system(), job(2), RuntimeSettings.create(testKit.system()), settings);
        first.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(first.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS).id()).isEqualTo(2);
        first.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);

        JobHandle second = Snapflow.submitFromCheckpoint(testKit.system(), job(2), checkpoints.resolve(first.jobId()),
                RuntimeSettings.create(testKit.system()), settings);

        assertThat(second.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS).id()).isEqualTo(3);
        second.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void when_there_is_no_checkpoint_then_the_restore_says_so() {
        assertThatThrownBy(() -> Snapflow.submitFromCheckpoint(testKit.system(), job(1), checkpoints.resolve("nothing-here"),
                RuntimeSettings.create(testKit.system()), CheckpointSettings.create(testKit.system())))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("nothing-here: there is no such directory");
    }

    /** The restorable job without its counting operator: the numbers go straight to the sink. */
    private static JobGraph jobWithoutCount() {
        JobBuilder job = JobBuilder.create("restorable").defaultParallelism(2);
        job.source("numbers", new GatedSequence(N, ALLOWED_PER_SUBTASK)).sink("counts", Sinks.collect());
        return job.build();
    }

    @Test
    void when_the_job_lacks_an_operator_with_state_then_the_restore_is_refused_unless_dropping_is_allowed() throws Exception {
        CheckpointSettings settings = CheckpointSettings.create(testKit.system()).withoutInterval().withDirectory(checkpoints);
        RuntimeSettings runtime = RuntimeSettings.create(testKit.system()).withIdleSourcePollInterval(Duration.ofMillis(1));
        ALLOWED_PER_SUBTASK.set(10);
        JobHandle first = Snapflow.submit(testKit.system(), job(2), runtime, settings);
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
            assertThat(first.metrics().subtasks().stream().filter(s -> s.name().startsWith("count"))
                    .mapToLong(JobMetrics.Subtask::recordsIn).sum()).isEqualTo(20);
            return null;
        });
        first.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        first.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
        RestoreSettings restore = RestoreSettings.from(checkpoints.resolve(first.jobId()));

        assertThatThrownBy(() -> Snapflow.submitFromCheckpoint(testKit.system(), jobWithoutCount(), restore, runtime, settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has state for operator 'count', which job 'restorable' does not have")
                .hasMessageContaining("allowingNonRestoredState()");

        ALLOWED_PER_SUBTASK.set(Long.MAX_VALUE);
        JobHandle second = Snapflow.submitFromCheckpoint(testKit.system(), jobWithoutCount(),
                restore.allowingNonRestoredState(), runtime, settings);
        List<Long> numbers = second.result().toCompletableFuture().get(60, TimeUnit.SECONDS).collected("counts");

        // The sources' positions were restored, the dropped operator's state was not needed.
        assertThat(numbers).hasSize((int) N - 20).doesNotHaveDuplicates();
    }
}
