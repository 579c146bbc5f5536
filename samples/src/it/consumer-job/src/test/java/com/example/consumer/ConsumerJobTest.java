package com.example.consumer;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.cfg.PackageVersion;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.Snapflow;
import dev.snapflow.engine.api.CheckpointListener;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.ReadStatus;
import dev.snapflow.engine.api.Source;
import dev.snapflow.engine.api.SourceReader;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestartStrategy;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.FileSink;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.record.Tuple2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs checkpointed jobs the way an application that depends on Snapflow would: only the
 * published artifacts, the dependency versions their POMs resolve to, the application's types.
 */
class ConsumerJobTest {

    private static final long RECORDS = 200_000;
    private static final AtomicBoolean failed = new AtomicBoolean();
    /** Set when a counting subtask hears of a completed checkpoint; the sources wait for it half-way. */
    private static final AtomicBoolean checkpointCompleted = new AtomicBoolean();

    private static ActorTestKit testKit;

    @TempDir
    Path checkpoints;

    @TempDir
    Path output;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    /** An application's own enum, record and POJO types, as records and as keys. */
    public enum Kind { HOT, COLD, DAMP }

    public record Reading(String sensor, Kind kind, long value) {
    }

    public record SensorKey(String sensor, Kind kind) {
    }

    /**
     * Counts per key in value state; fails once, on the first record after a checkpoint completed,
     * so that the restart restores counts from it.
     */
    static final class CountOnce<K> implements KeyedProcessFunction<K, Reading, String>, CheckpointListener {
        private static final StateDescriptor.Value<Long> COUNT = new StateDescriptor.Value<>("count", RecordSerializers.longs());
        private boolean heardOfCheckpoint;

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            heardOfCheckpoint = true;
            checkpointCompleted.set(true);
        }

        @Override
        public void processElement(Reading reading, Context<K> context, Collector<String> out) {
            if (heardOfCheckpoint && failed.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
            }
            ValueState<Long> count = context.keyedState().state(COUNT);
            long next = count.value() == null ? 1 : count.value() + 1;
            count.update(next);
            out.collect(context.currentKey() + "=" + next);
        }
    }

    @Test
    void the_consumer_resolves_a_jackson_that_handles_records() {
        assertThat(PackageVersion.VERSION.getMinorVersion()).as("jackson-databind " + PackageVersion.VERSION)
                .isGreaterThanOrEqualTo(12);
    }

    /** Readings 1..RECORDS; each reader pauses half-way through its slice until a checkpoint completed. */
    static final class HalfwayHeldReadings implements Source<Reading> {
        @Override
        public SourceReader<Reading> createReader(int subtaskIndex, int parallelism) throws Exception {
            SourceReader<Reading> readings = Sources.generator(RECORDS, index -> reading(index + 1))
                    .createReader(subtaskIndex, parallelism);
            long halfway = readings.position() + RECORDS / parallelism / 2;
            return new SourceReader<>() {
                @Override
                public ReadStatus read(Collector<Reading> output, int maxRecords) throws Exception {
                    long allowed = checkpointCompleted.get() ? maxRecords : halfway - readings.position();
                    if (allowed <= 0) {
                        return ReadStatus.NOTHING_AVAILABLE;
                    }
                    return readings.read(output, (int) Math.min(maxRecords, allowed));
                }

                @Override
                public long position() {
                    return readings.position();
                }

                @Override
                public void seek(long position) throws Exception {
                    readings.seek(position);
                }
            };
        }
    }

    private static Reading reading(long value) {
        return new Reading("sensor-" + (value % 53), Kind.values()[(int) (value % 3)], value);
    }

    @Test
    void string_keys_commit_every_count_once_across_a_failure() throws Exception {
        assertCommittedOnce(reading -> reading.sensor(), false, false);
    }

    @Test
    void tuple_keys_commit_every_count_once_across_a_failure() throws Exception {
        assertCommittedOnce(reading -> Tuple2.of(reading.sensor(), reading.value() % 5), false, false);
    }

    @Test
    void record_keys_with_an_enum_commit_every_count_once_across_a_failure() throws Exception {
        assertCommittedOnce(reading -> new SensorKey(reading.sensor(), reading.kind()), false, false);
    }

    @Test
    void incremental_checkpoints_of_record_keys_commit_every_count_once_across_a_failure() throws Exception {
        assertCommittedOnce(reading -> new SensorKey(reading.sensor(), reading.kind()), false, true);
    }

    @Test
    void enum_keys_commit_every_count_once_across_a_failure() throws Exception {
        assertCommittedOnce(Reading::kind, false, false);
    }

    @Test
    void records_in_flight_in_unaligned_checkpoints_commit_every_count_once_across_a_failure() throws Exception {
        assertCommittedOnce(reading -> Tuple2.of(reading.kind(), reading.sensor()), true, false);
    }

    private <K> void assertCommittedOnce(Function<Reading, K> key, boolean unaligned, boolean incremental) throws Exception {
        failed.set(false);
        checkpointCompleted.set(false);
        JobBuilder builder = JobBuilder.create("consumer-counts").defaultParallelism(2);
        builder.source("readings", new HalfwayHeldReadings())
                .keyBy(key::apply)
                .process("count", CountOnce<K>::new)
                .sink("files", FileSink.lines(output));
        JobHandle job = Snapflow.submit(testKit.system(), builder.build(),
                RuntimeSettings.create(testKit.system()).withRestartStrategy(RestartStrategy.fixedDelay(2, Duration.ofMillis(50))),
                CheckpointSettings.create(testKit.system()).withInterval(Duration.ofMillis(20)).withDirectory(checkpoints)
                        .withUnaligned(unaligned).withIncremental(incremental));
        job.result().toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(failed).as("the injected failure happened").isTrue();
        assertThat(job.checkpointStats()).anyMatch(stats -> stats.status() == CheckpointStats.Status.COMPLETED);

        assertThat(job.checkpointStats().stream().flatMap(stats -> stats.failureReason().stream())
                .filter(reason -> reason.contains("EXCEPTION") || reason.contains("FAILURE")))
                .as("checkpoints that could not be written").isEmpty();
        Map<String, Long> expected = LongStream.rangeClosed(1, RECORDS).mapToObj(ConsumerJobTest::reading)
                .collect(Collectors.groupingBy(reading -> String.valueOf(key.apply(reading)), TreeMap::new, Collectors.counting()));
        List<String> expectedLines = expected.entrySet().stream()
                .flatMap(entry -> LongStream.rangeClosed(1, entry.getValue()).mapToObj(n -> entry.getKey() + "=" + n))
                .sorted().toList();
        assertThat(FileSink.committedLines(output).stream().sorted().toList()).isEqualTo(expectedLines);
    }
}
