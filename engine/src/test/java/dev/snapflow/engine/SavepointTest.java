package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestoreSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.FileSink;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.graph.DataStream;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.graph.JobGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Savepoints: taken on request into a directory of their own, self-contained, and a new job
 * (possibly at another parallelism) resumes from one exactly where it was taken.
 */
class SavepointTest {

    private static final long VALUES = 60_000;
    private static final long KEYS = 50;
    private static final AtomicLong ALLOWED = new AtomicLong();
    private static ActorTestKit testKit;

    @TempDir(cleanup = CleanupMode.NEVER)
    Path work;

    @AfterEach
    void deleteWork() {
        TestDirectories.deleteTree(work);
    }

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    /** One source subtask (its position cannot be split), a keyed running sum and the file sink at {@code parallelism}. */
    private JobGraph runningSums(int parallelism) {
        return runningSums(parallelism, 0);
    }

    /** @param maxParallelism of the sum operator; 0 leaves it to the default for the parallelism */
    private JobGraph runningSums(int parallelism, int maxParallelism) {
        JobBuilder job = JobBuilder.create("sums");
        DataStream<String> sums = job.source("numbers", new GatedSequence(VALUES, ALLOWED)).parallelism(1)
                .keyBy(value -> value % KEYS)
                .process("sum", () -> new RunningSum(new AtomicInteger())).parallelism(parallelism);
        if (maxParallelism > 0) {
            sums.maxParallelism(maxParallelism);
        }
        sums.sink("files", FileSink.lines(work.resolve("output"))).parallelism(parallelism);
        return job.build();
    }

    private CheckpointSettings checkpoints(String name) {
        return CheckpointSettings.create(testKit.system()).withInterval(Duration.ofMillis(20)).withDirectory(work.resolve(name));
    }

    private RuntimeSettings runtime() {
        return RuntimeSettings.create(testKit.system()).withIdleSourcePollInterval(Duration.ofMillis(1));
    }

    /** Waits until the job has processed {@code records} at the sum operator. */
    private static void awaitProcessed(JobHandle job, long records) {
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
            assertThat(job.metrics().subtasks().stream().filter(s -> s.name().startsWith("sum")).mapToLong(JobMetrics.Subtask::recordsIn).sum())
                    .isEqualTo(records);
            return null;
        });
    }

    private List<String> committedSorted() throws Exception {
        List<String> lines = new ArrayList<>(FileSink.committedLines(work.resolve("output")));
        Collections.sort(lines);
        return lines;
    }

    private static List<String> expectedSorted() {
        List<String> lines = new ArrayList<>(RunningSum.expectedLines(VALUES, KEYS));
        Collections.sort(lines);
        return lines;
    }

    @ParameterizedTest(name = "parallelism {0} -> {1}")
    // 85 -> 86 crosses the default max parallelism from 128 to 256: the restored one is adopted.
    @CsvSource({"2, 2", "1, 3", "4, 2", "2, 86", "86, 3"})
    void a_job_stopped_with_a_savepoint_resumes_from_it_at_any_parallelism_with_the_output_of_an_uninterrupted_run(
            int before, int after) throws Exception {
        ALLOWED.set(VALUES / 3);
        JobHandle first = Snapflow.submit(testKit.system(), runningSums(before), runtime(), checkpoints("first"));
        awaitProcessed(first, VALUES / 3);

        Path savepoint = first.stopWithSavepoint(work.resolve("savepoints"), Duration.ofSeconds(20))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        JobResult stopped = first.result().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(stopped.records("files")).isEqualTo(VALUES / 3);
        assertThat(FileSink.committedLines(work.resolve("output"))).hasSize((int) (VALUES / 3));

        ALLOWED.set(Long.MAX_VALUE);
        JobHandle second = Snapflow.submitFromCheckpoint(testKit.system(), runningSums(after), savepoint, runtime(),
                checkpoints("second"));
        second.result().toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(committedSorted()).isEqualTo(expectedSorted());
    }

    /**
     * Armed with a checkpoint id: the sum fails once when told of the completion of a later one.
     * An id, not a flag: the notification of the armed checkpoint itself may still be on its way.
     */
    private static final java.util.concurrent.atomic.AtomicLong FAIL_ON_COMPLETION_AFTER = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);

    /** The running sum, failing once when told of the next completed checkpoint after being armed. */
    static final class SumFailingOnCompletion implements dev.snapflow.engine.api.KeyedProcessFunction<Long, Long, String>,
            dev.snapflow.engine.api.CheckpointListener {
        private final RunningSum sum = new RunningSum(new AtomicInteger());

        @Override
        public void processElement(Long value, Context<Long> context, dev.snapflow.engine.api.Collector<String> out) {
            sum.processElement(value, context, out);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            long armed = FAIL_ON_COMPLETION_AFTER.get();
            if (checkpointId > armed && FAIL_ON_COMPLETION_AFTER.compareAndSet(armed, Long.MAX_VALUE)) {
                throw new IllegalStateException("injected failure on completion of " + checkpointId);
            }
        }
    }

    @Test
    @org.junit.jupiter.api.DisplayName("K12: a failure after the stopping savepoint completed restarts from it, and the job ends stopped")
    void rule_K12_a_failure_after_stop_with_savepoint_completed_restarts_from_the_savepoint_with_the_sources_stopped()
            throws Exception {
        ALLOWED.set(VALUES / 3);
        FAIL_ON_COMPLETION_AFTER.set(Long.MAX_VALUE);
        JobBuilder builder = JobBuilder.create("sums");
        builder.source("numbers", new GatedSequence(VALUES, ALLOWED)).parallelism(1)
                .keyBy(value -> value % KEYS)
                .process("sum", SumFailingOnCompletion::new).parallelism(2)
                .sink("files", FileSink.lines(work.resolve("output"))).parallelism(2);
        JobHandle first = Snapflow.submit(testKit.system(), builder.build(),
                runtime().withRestartStrategy(dev.snapflow.engine.config.RestartStrategy.fixedDelay(2, Duration.ofMillis(10))),
                CheckpointSettings.create(testKit.system()).withoutInterval().withDirectory(work.resolve("first")));
        awaitProcessed(first, VALUES / 3);
        long checkpointed = first.triggerCheckpoint(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS).id();

        FAIL_ON_COMPLETION_AFTER.set(checkpointed);
        Path savepoint = first.stopWithSavepoint(work.resolve("savepoints"), Duration.ofSeconds(20))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        first.result().toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(first.failedAttempts()).as("the failure after the savepoint completed").hasSize(1);
        List<String> upToTheSavepoint = new ArrayList<>(RunningSum.expectedLines(VALUES / 3, KEYS));
        Collections.sort(upToTheSavepoint);
        assertThat(committedSorted()).as("committed once, nothing after the savepoint").isEqualTo(upToTheSavepoint);

        ALLOWED.set(Long.MAX_VALUE);
        Snapflow.submitFromCheckpoint(testKit.system(), runningSums(2), savepoint, runtime(), checkpoints("second"))
                .result().toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertThat(committedSorted()).isEqualTo(expectedSorted());
    }

    @Test
    @org.junit.jupiter.api.DisplayName("K12: no periodic checkpoint starts while the job stops with a savepoint")
    void rule_K12_no_periodic_checkpoint_starts_while_the_job_stops_with_a_savepoint() throws Exception {
        // Slow sums with a backlog: the stopping savepoint's barrier waits behind it for a while, and
        // max-concurrent 2 would let periodic checkpoints start meanwhile.
        ALLOWED.set(Long.MAX_VALUE);
        JobBuilder builder = JobBuilder.create("sums");
        builder.source("numbers", new GatedSequence(VALUES, ALLOWED)).parallelism(1)
                .keyBy(value -> value % KEYS)
                .process("sum", () -> new RunningSum(new AtomicInteger(), 20_000)).parallelism(2)
                .sink("files", FileSink.lines(work.resolve("output"))).parallelism(2);
        JobHandle job = Snapflow.submit(testKit.system(), builder.build(), runtime(),
                checkpoints("first").withMaxConcurrent(2).withInterval(Duration.ofMillis(5)));
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
            assertThat(job.metrics().channels()).anySatisfy(channel -> assertThat(channel.queuedBuffers()).isEqualTo(channel.capacity()));
            return null;
        });

        job.stopWithSavepoint(work.resolve("savepoints"), Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        job.result().toCompletableFuture().get(30, TimeUnit.SECONDS);

        List<CheckpointStats> stats = job.checkpointStats();
        long savepointId = stats.stream().filter(CheckpointStats::savepoint).mapToLong(CheckpointStats::id).max().orElseThrow();
        assertThat(stats).as("checkpoints after the stopping savepoint's trigger").noneMatch(s -> s.id() > savepointId);
    }

    @Test
    void a_max_parallelism_set_to_another_than_the_state_was_written_with_is_refused_at_submit_naming_the_operator()
            throws Exception {
        Path savepoint = sumsStoppedWithSavepointAfter(VALUES / 4);

        assertThatThrownBy(() -> Snapflow.submitFromCheckpoint(testKit.system(), runningSums(2, 256), savepoint, runtime(),
                checkpoints("second")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Operator 'sum' has max parallelism 256, but its keyed state was written with max"
                        + " parallelism 128");
        assertThatThrownBy(() -> Snapflow.submitFromCheckpoint(testKit.system(), runningSums(200), savepoint, runtime(),
                checkpoints("second")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Operator 'sum' has parallelism 200, more than the max parallelism 128");
    }

    @Test
    void a_savepoint_is_self_contained_and_a_job_resumes_from_a_copy_of_it_after_the_first_run_is_gone() throws Exception {
        ALLOWED.set(VALUES / 2);
        JobHandle first = Snapflow.submit(testKit.system(), runningSums(2), runtime(), checkpoints("first"));
        awaitProcessed(first, VALUES / 2);
        Path savepoint = first.triggerSavepoint(work.resolve("savepoints"), Duration.ofSeconds(20))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(savepoint.getParent()).isEqualTo(work.resolve("savepoints").toAbsolutePath());
        assertThat(savepoint.resolve("_metadata")).exists();
        assertThat(first.checkpointStats()).anyMatch(stats -> stats.savepoint() && stats.status() == CheckpointStats.Status.COMPLETED);
        first.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);
        TestDirectories.deleteTree(work.resolve("first"));
        Path moved = work.resolve("moved");
        Files.move(savepoint, moved);

        // The first run was cancelled: its output after the savepoint's last committed checkpoint is
        // not known here, so the resumed run writes into a fresh directory and the test counts its
        // records, which must be exactly those after the savepoint.
        JobGraph counting = countingJob();
        ALLOWED.set(Long.MAX_VALUE);
        JobHandle second = Snapflow.submitFromCheckpoint(testKit.system(), counting,
                RestoreSettings.from(moved).allowingNonRestoredState(), runtime(), checkpoints("second"));
        JobResult result = second.result().toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(result.records("rest")).isEqualTo(VALUES - VALUES / 2);
    }

    /** The sums job without its sum and file sink: the source only, counting what it still emits. */
    private static JobGraph countingJob() {
        JobBuilder job = JobBuilder.create("sums");
        job.source("numbers", new GatedSequence(VALUES, ALLOWED)).parallelism(1).sink("rest", Sinks.discard());
        return job.build();
    }

    /** Runs the sums at parallelism 2 until {@code records} went through, stops them with a savepoint and returns it. */
    private Path sumsStoppedWithSavepointAfter(long records) throws Exception {
        ALLOWED.set(records);
        JobHandle job = Snapflow.submit(testKit.system(), runningSums(2), runtime(), checkpoints("first"));
        awaitProcessed(job, records);
        Path savepoint = job.stopWithSavepoint(work.resolve("savepoints"), Duration.ofSeconds(20))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        job.result().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return savepoint;
    }

    @Test
    void a_savepoint_with_state_for_an_operator_the_new_job_lacks_is_refused_unless_dropping_is_allowed() throws Exception {
        Path savepoint = sumsStoppedWithSavepointAfter(1_000);

        assertThatThrownBy(() -> Snapflow.submitFromCheckpoint(testKit.system(), countingJob(), savepoint, runtime(),
                checkpoints("second")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(".*has state for operator '(sum|files)', which job 'sums' does not have.*")
                .hasMessageContaining("allowingNonRestoredState");

        ALLOWED.set(Long.MAX_VALUE);
        JobHandle second = Snapflow.submitFromCheckpoint(testKit.system(), countingJob(),
                RestoreSettings.from(savepoint).allowingNonRestoredState(), runtime(), checkpoints("second"));
        assertThat(second.result().toCompletableFuture().get(60, TimeUnit.SECONDS).records("rest")).isEqualTo(VALUES - 1_000);
    }

    @Test
    void a_savepoint_that_cannot_be_written_fails_and_the_job_runs_on() throws Exception {
        ALLOWED.set(1_000);
        JobHandle job = Snapflow.submit(testKit.system(), runningSums(2), runtime(), checkpoints("first"));
        awaitProcessed(job, 1_000);
        Path notADirectory = Files.writeString(work.resolve("a-file"), "not a directory");

        assertThatThrownBy(() -> job.stopWithSavepoint(notADirectory, Duration.ofSeconds(20)).toCompletableFuture()
                .get(30, TimeUnit.SECONDS))
                .hasMessageContaining("Cannot create the savepoint directory");

        ALLOWED.set(Long.MAX_VALUE);
        job.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertThat(committedSorted()).isEqualTo(expectedSorted());
    }

    @Test
    void restoring_from_a_directory_that_holds_no_snapshot_names_the_directory() throws Exception {
        Path empty = Files.createDirectories(work.resolve("empty"));

        assertThatThrownBy(() -> Snapflow.submitFromCheckpoint(testKit.system(), runningSums(2), empty, runtime(),
                checkpoints("second")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(empty.toString())
                .hasMessageContaining("_metadata");
        assertThatThrownBy(() -> Snapflow.submitFromCheckpoint(testKit.system(), runningSums(2), work.resolve("missing"),
                runtime(), checkpoints("second")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("no such directory");
        assertThat(work.resolve("missing")).doesNotExist();
    }

    @Test
    void a_savepoint_with_a_damaged_state_file_is_refused_naming_the_file() throws Exception {
        Path savepoint = sumsStoppedWithSavepointAfter(1_000);
        Path stateFile;
        try (Stream<Path> files = Files.list(savepoint)) {
            stateFile = files.filter(file -> file.toString().endsWith(".state")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(stateFile);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(stateFile, bytes);

        assertThatThrownBy(() -> Snapflow.submitFromCheckpoint(testKit.system(), runningSums(2), savepoint, runtime(),
                checkpoints("second")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(stateFile.getFileName().toString());
    }

    @Test
    void stopping_with_a_savepoint_suspends_the_job_without_finishing_its_operators() throws Exception {
        JobBuilder builder = JobBuilder.create("counts").defaultParallelism(2);
        builder.source("numbers", new GatedSequence(VALUES, ALLOWED)).parallelism(1)
                .keyBy(value -> value % KEYS)
                .process("count", ReportingCount::new)
                .sink("counts", Sinks.collect());
        ALLOWED.set(VALUES / 4);
        JobHandle first = Snapflow.submit(testKit.system(), builder.build(), runtime(), checkpoints("first"));
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
            assertThat(first.metrics().subtasks().stream().filter(s -> s.name().startsWith("count"))
                    .mapToLong(JobMetrics.Subtask::recordsIn).sum()).isEqualTo(VALUES / 4);
            return null;
        });

        Path savepoint = first.stopWithSavepoint(work.resolve("savepoints"), Duration.ofSeconds(20))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        JobResult stopped = first.result().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(stopped.records("counts")).as("finish() emits the final counts; a stopped job is not finished").isZero();
        assertThatThrownBy(() -> stopped.collected("counts")).hasMessageContaining("stopped with a savepoint");

        ALLOWED.set(Long.MAX_VALUE);
        JobHandle second = Snapflow.submitFromCheckpoint(testKit.system(), builder.build(), savepoint, runtime(),
                checkpoints("second"));
        List<Long> reports = second.result().toCompletableFuture().get(60, TimeUnit.SECONDS).collected("counts");
        assertThat(ReportingCount.decode(reports)).hasSize((int) KEYS).allSatisfy((key, count) -> assertThat(count).isEqualTo(VALUES / KEYS));
    }
}
