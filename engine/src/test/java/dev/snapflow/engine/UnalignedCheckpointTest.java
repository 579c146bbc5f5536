package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestartStrategy;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.FileSink;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.graph.JobGraph;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.engine.storage.CheckpointMetadata;
import dev.snapflow.engine.storage.CheckpointStorage;
import dev.snapflow.engine.storage.FileSystemCheckpointStorage;
import dev.snapflow.engine.storage.StateHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Unaligned checkpoints under backpressure: a keyed running sum busy for a fixed time per record
 * fills the channels in front of it, so an aligned barrier would wait for all of that data.
 */
class UnalignedCheckpointTest {

    private static final long KEYS = 50;
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

    private JobGraph slowSums(long values, long spinNanos, AtomicLong allowed, AtomicInteger failures) {
        JobBuilder job = JobBuilder.create("slow-sums");
        job.source("numbers", new GatedSequence(values, allowed)).parallelism(1)
                .keyBy(value -> value % KEYS)
                .process("sum", () -> new RunningSum(failures, spinNanos)).parallelism(2)
                .sink("files", FileSink.lines(work.resolve("output"))).parallelism(2);
        return job.build();
    }

    /**
     * Waits until a channel in front of the slow operator is full, so the source is held back (the
     * keys need not split evenly, so the other channel may be emptier).
     */
    private static void awaitFullChannels(JobHandle job) {
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
            assertThat(job.metrics().channels()).anySatisfy(channel -> assertThat(channel.queuedBuffers()).isEqualTo(channel.capacity()));
            return null;
        });
    }

    private CheckpointSettings checkpoints(boolean unaligned) {
        return CheckpointSettings.create(testKit.system()).withoutInterval().withTimeout(Duration.ofSeconds(1))
                .withTolerableFailures(100).withUnaligned(unaligned).withDirectory(work.resolve("checkpoints"));
    }

    @Test
    void under_backpressure_unaligned_checkpoints_and_timed_out_aligned_ones_complete_with_their_in_flight_data_where_aligned_ones_expire() throws Exception {
        // A full channel (4 batches) and the 2 batches its consumer holds, of 1024 records at 400 µs
        // each, keep an aligned barrier waiting at least 2.4 s behind them: longer than the
        // checkpoint timeout of 1 s.
        AtomicLong allowed = new AtomicLong(Long.MAX_VALUE);
        List<CheckpointStats> aligned = checkpointUnderBackpressure(checkpoints(false), allowed);
        List<CheckpointStats> unaligned = checkpointUnderBackpressure(checkpoints(true), allowed);
        List<CheckpointStats> switched = checkpointUnderBackpressure(checkpoints(true)
                .withAlignedCheckpointTimeout(Duration.ofMillis(100)), allowed);

        assertThat(aligned).extracting(CheckpointStats::status).containsOnly(CheckpointStats.Status.FAILED);
        assertThat(aligned.get(0).failureReason()).hasValueSatisfying(reason -> assertThat(reason).contains("EXPIRED"));
        assertThat(unaligned).extracting(CheckpointStats::status).containsOnly(CheckpointStats.Status.COMPLETED);
        assertThat(unaligned).allSatisfy(stats -> {
            assertThat(stats.unaligned()).isTrue();
            assertThat(stats.persistedInFlightBytes()).as("at least the full channel's records").isGreaterThan(4 * 1024);
        });
        assertThat(switched).as("aligned for 100 ms, then unaligned").allSatisfy(stats -> {
            assertThat(stats.status()).isEqualTo(CheckpointStats.Status.COMPLETED);
            assertThat(stats.unaligned()).isTrue();
            assertThat(stats.persistedInFlightBytes()).isGreaterThan(4 * 1024);
        });
    }

    /** Two checkpoints of a backpressured job; the statistics of both. */
    private List<CheckpointStats> checkpointUnderBackpressure(CheckpointSettings checkpoints, AtomicLong allowed) throws Exception {
        JobHandle job = Snapflow.submit(testKit.system(), slowSums(1_000_000, 400_000, allowed, new AtomicInteger()),
                RuntimeSettings.create(testKit.system()), checkpoints);
        try {
            awaitFullChannels(job);
            for (int checkpoint = 0; checkpoint < 2; checkpoint++) {
                try {
                    job.triggerCheckpoint(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException expiredWhenAligned) {
                    // The statistics below tell what happened.
                }
            }
            return job.checkpointStats();
        } finally {
            job.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_job_restarted_from_an_unaligned_checkpoint_replays_its_in_flight_data_exactly_once() throws Exception {
        long values = 60_000;
        AtomicLong allowed = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger failures = new AtomicInteger();
        JobHandle job = Snapflow.submit(testKit.system(), slowSums(values, 100_000, allowed, failures),
                RuntimeSettings.create(testKit.system()).withRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO)),
                checkpoints(true));
        awaitFullChannels(job);
        CheckpointStats checkpoint = job.triggerCheckpoint(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(checkpoint.unaligned()).isTrue();
        assertThat(checkpoint.persistedInFlightBytes()).isPositive();

        failures.set(1);
        job.result().toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(job.failedAttempts()).hasSize(1);
        List<String> committed = new ArrayList<>(FileSink.committedLines(work.resolve("output")));
        List<String> expected = new ArrayList<>(RunningSum.expectedLines(values, KEYS));
        Collections.sort(committed);
        Collections.sort(expected);
        assertThat(committed).isEqualTo(expected);
    }

    @Test
    void a_consumer_that_changes_records_after_receiving_them_does_not_change_a_checkpoints_in_flight_data() throws Exception {
        long values = 60_000;
        AtomicInteger failures = new AtomicInteger();
        JobBuilder builder = JobBuilder.create("spoiling-sums");
        builder.source("numbers", new GatedSequence(values, new AtomicLong(Long.MAX_VALUE))).parallelism(1)
                .map("readings", SpoilingSum.Reading::new)
                .keyBy(reading -> reading.getValue() % KEYS)
                .process("sum", () -> new SpoilingSum(failures, 100_000)).parallelism(2)
                .sink("files", FileSink.lines(work.resolve("output"))).parallelism(2);
        JobHandle job = Snapflow.submit(testKit.system(), builder.build(),
                RuntimeSettings.create(testKit.system()).withRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO)),
                checkpoints(true));
        awaitFullChannels(job);
        CheckpointStats checkpoint = job.triggerCheckpoint(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(checkpoint.persistedInFlightBytes()).isPositive();

        failures.set(1);
        job.result().toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(job.failedAttempts()).hasSize(1);
        List<String> committed = new ArrayList<>(FileSink.committedLines(work.resolve("output")));
        List<String> expected = new ArrayList<>(RunningSum.expectedLines(values, KEYS));
        Collections.sort(committed);
        Collections.sort(expected);
        assertThat(committed).isEqualTo(expected);
    }

    /** Two slow keyed pipelines, declared in the given order; pipeline "b" sums values a million higher. */
    private JobGraph twoPipelines(long values, AtomicLong allowed, String... order) {
        JobBuilder job = JobBuilder.create("two-pipelines");
        for (String name : order) {
            long offset = name.equals("a") ? 0 : 1_000_000;
            job.source(name + "-numbers", new GatedSequence(values, allowed)).parallelism(1)
                    .map(name + "-shift", value -> value + offset)
                    .keyBy(value -> value % KEYS)
                    .process(name + "-sum", () -> new RunningSum(new AtomicInteger(), 100_000)).parallelism(2)
                    .sink(name + "-files", FileSink.lines(work.resolve("output-" + name))).parallelism(2);
        }
        return job.build();
    }

    @Test
    void an_unaligned_checkpoint_restores_its_in_flight_data_into_the_same_channels_when_pipelines_are_declared_in_another_order()
            throws Exception {
        long values = 30_000;
        AtomicLong allowed = new AtomicLong(Long.MAX_VALUE);
        JobHandle first = Snapflow.submit(testKit.system(), twoPipelines(values, allowed, "a", "b"),
                RuntimeSettings.create(testKit.system()), checkpoints(true));
        awaitFullChannels(first);
        CheckpointStats checkpoint = first.triggerCheckpoint(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(checkpoint.persistedInFlightBytes()).isPositive();
        first.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);

        JobHandle second = Snapflow.submitFromCheckpoint(testKit.system(), twoPipelines(values, allowed, "b", "a"),
                work.resolve("checkpoints").resolve(first.jobId()), RuntimeSettings.create(testKit.system()),
                checkpoints(true).withDirectory(work.resolve("second")));
        second.result().toCompletableFuture().get(60, TimeUnit.SECONDS);

        for (String pipeline : List.of("a", "b")) {
            long offset = pipeline.equals("a") ? 0 : 1_000_000;
            List<String> expected = new ArrayList<>();
            java.util.Map<Long, Long> sums = new java.util.HashMap<>();
            for (long value = 0; value < values; value++) {
                long shifted = value + offset;
                expected.add(shifted % KEYS + "," + sums.merge(shifted % KEYS, shifted, Long::sum));
            }
            Collections.sort(expected);
            List<String> committed = new ArrayList<>(FileSink.committedLines(work.resolve("output-" + pipeline)));
            Collections.sort(committed);
            assertThat(committed).as("pipeline " + pipeline).isEqualTo(expected);
        }
    }

    /** Runs the slow sums until their channels are full, takes an unaligned checkpoint that holds in-flight data, and cancels: its job's checkpoint directory. */
    private Path checkpointWithInFlightData(AtomicLong allowed) throws Exception {
        JobHandle job = Snapflow.submit(testKit.system(), slowSums(1_000_000, 200_000, allowed, new AtomicInteger()),
                RuntimeSettings.create(testKit.system()), checkpoints(true));
        awaitFullChannels(job);
        CheckpointStats checkpoint = job.triggerCheckpoint(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(checkpoint.persistedInFlightBytes()).isPositive();
        job.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return work.resolve("checkpoints").resolve(job.jobId());
    }

    @Test
    void an_unaligned_checkpoint_with_in_flight_data_is_refused_at_another_parallelism_naming_the_way_out() throws Exception {
        AtomicLong allowed = new AtomicLong(Long.MAX_VALUE);
        Path checkpointed = checkpointWithInFlightData(allowed);

        JobBuilder rescaled = JobBuilder.create("slow-sums");
        rescaled.source("numbers", new GatedSequence(1_000_000, allowed)).parallelism(1)
                .keyBy(value -> value % KEYS)
                .process("sum", () -> new RunningSum(new AtomicInteger())).parallelism(3)
                .sink("files", FileSink.lines(work.resolve("output"))).parallelism(3);
        assertThatThrownBy(() -> Snapflow.submitFromCheckpoint(testKit.system(), rescaled.build(),
                checkpointed, RuntimeSettings.create(testKit.system()), checkpoints(true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unaligned checkpoint with in-flight data")
                .hasMessageContaining("restore from a savepoint");
    }

    @Test
    void an_unaligned_checkpoint_with_in_flight_data_is_refused_by_a_job_that_partitions_the_edge_another_way() throws Exception {
        AtomicLong allowed = new AtomicLong(Long.MAX_VALUE);
        Path checkpointed = checkpointWithInFlightData(allowed);

        // The same operators at the same parallelism, but the records that were keyed now go round robin.
        JobBuilder rebalanced = JobBuilder.create("slow-sums");
        rebalanced.source("numbers", new GatedSequence(1_000_000, allowed)).parallelism(1)
                .rebalance()
                .process("sum", ChaosTest.TagWithSubtask::new).parallelism(2)
                .sink("files", FileSink.lines(work.resolve("output"))).parallelism(2);
        assertThatThrownBy(() -> Snapflow.submitFromCheckpoint(testKit.system(), rebalanced.build(),
                checkpointed, RuntimeSettings.create(testKit.system()), checkpoints(true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("in-flight data on edge 'numbers' -> 'sum', which was partitioned by hash and now by rebalance")
                .hasMessageContaining("restore from a savepoint");
    }

    /** Holds every subtask's state write until released, then writes through. */
    private static final class HeldWrites implements CheckpointStorage {
        private final CheckpointStorage storage;
        private final CountDownLatch release = new CountDownLatch(1);
        private final AtomicInteger held = new AtomicInteger();

        HeldWrites(CheckpointStorage storage) {
            this.storage = storage;
        }

        @Override
        public StateHandle writeState(long checkpointId, SubtaskId subtask,
                                                                 SubtaskState state) throws IOException {
            held.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            return storage.writeState(checkpointId, subtask, state);
        }

        @Override
        public SubtaskState readState(StateHandle handle) throws IOException {
            return storage.readState(handle);
        }

        @Override
        public dev.snapflow.engine.state.SharedStateRef write(long checkpointId, byte[] bytes) throws IOException {
            return storage.write(checkpointId, bytes);
        }

        @Override
        public byte[] read(dev.snapflow.engine.state.SharedStateRef ref) throws IOException {
            return storage.read(ref);
        }

        @Override
        public void writeMetadata(CheckpointMetadata metadata) throws IOException {
            storage.writeMetadata(metadata);
        }

        @Override
        public void discard(long checkpointId) throws IOException {
            storage.discard(checkpointId);
        }

        @Override
        public Optional<CheckpointMetadata> readMetadata(long checkpointId) throws IOException {
            return storage.readMetadata(checkpointId);
        }

        @Override
        public List<Long> completedCheckpointIds() throws IOException {
            return storage.completedCheckpointIds();
        }

        @Override
        public Optional<CheckpointMetadata> latestCompleted() throws IOException {
            return storage.latestCompleted();
        }
    }

    @Test
    void when_an_unaligned_checkpoint_expires_while_its_in_flight_data_is_being_written_then_nothing_of_it_remains() throws Exception {
        FileSystemCheckpointStorage files =
                new FileSystemCheckpointStorage(work.resolve("checkpoints"), "held");
        HeldWrites storage = new HeldWrites(files);
        AtomicLong allowed = new AtomicLong(Long.MAX_VALUE);
        JobHandle job = Snapflow.submit(testKit.system(), slowSums(1_000_000, 200_000, allowed, new AtomicInteger()),
                RuntimeSettings.create(testKit.system()), checkpoints(true).withTimeout(Duration.ofMillis(300)), storage);
        try {
            awaitFullChannels(job);
            assertThatThrownBy(() -> job.triggerCheckpoint(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS))
                    .hasMessageContaining("CHECKPOINT_EXPIRED");
            assertThat(storage.held.get()).as("writes were under way when it expired").isPositive();
            CheckpointStats expired = job.checkpointStats().get(0);

            storage.release.countDown();

            testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
                assertThat(files.jobDirectory().resolve("chk-" + expired.id())).doesNotExist();
                return null;
            });
            assertThat(files.completedCheckpointIds()).isEmpty();
        } finally {
            storage.release.countDown();
            job.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
