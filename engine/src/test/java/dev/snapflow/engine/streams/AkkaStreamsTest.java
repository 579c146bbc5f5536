package dev.snapflow.engine.streams;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.SinkQueueWithCancel;
import dev.snapflow.engine.JobAttemptFailure;
import dev.snapflow.engine.JobExecutionException;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.JobMetrics;
import dev.snapflow.engine.Snapflow;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestartStrategy;
import dev.snapflow.engine.config.RuntimeSettings;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Akka Streams in and out of jobs, as a user's application would wire them. */
class AkkaStreamsTest {

    private static ActorTestKit testKit;
    private static final AtomicBoolean failureArmed = new AtomicBoolean();

    @TempDir
    Path checkpoints;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    record Reading(String sensor, long sequence) {
    }

    /** Counts readings per sensor; throws once when armed. */
    static final class CountReadings implements KeyedProcessFunction<String, Reading, Tuple2<String, Long>> {
        private static final StateDescriptor.Value<Long> COUNT = new StateDescriptor.Value<>("count", RecordSerializers.longs());

        @Override
        public void processElement(Reading reading, Context<String> context, Collector<Tuple2<String, Long>> out) {
            if (failureArmed.compareAndSet(true, false)) {
                throw new IllegalStateException("Injected failure at reading " + reading.sequence());
            }
            ValueState<Long> count = context.keyedState().state(COUNT);
            long next = count.value() == null ? 1 : count.value() + 1;
            count.update(next);
            out.collect(Tuple2.of(reading.sensor(), next));
        }
    }

    private static String sensorOf(long sequence) {
        return "sensor-" + sequence % 7;
    }

    /** Every (sensor, n) a sequential count of readings 1..n emits, once each. */
    private static List<Tuple2<String, Long>> sequentialCounts(long readings) {
        TreeMap<String, Long> counts = new TreeMap<>();
        List<Tuple2<String, Long>> updates = new ArrayList<>();
        for (long i = 1; i <= readings; i++) {
            updates.add(Tuple2.of(sensorOf(i), counts.merge(sensorOf(i), 1L, Long::sum)));
        }
        return sorted(updates);
    }

    private static List<Tuple2<String, Long>> sorted(List<Tuple2<String, Long>> updates) {
        return updates.stream().sorted(Comparator.comparing((Tuple2<String, Long> t) -> t.f0()).thenComparing(Tuple2::f1)).toList();
    }

    @Test
    void a_replayable_stream_into_an_exactly_once_output_survives_a_failure_without_loss_or_duplicates() throws Exception {
        long readings = 20_000;
        CompletableFuture<Boolean> secondHalf = new CompletableFuture<>();
        // Each subtask reads every second reading; the second half waits until the test opens it.
        ReplayableStream<Reading> stream = (subtask, parallelism, after) -> akka.stream.javadsl.Source
                .range((int) after + 1, (int) readings)
                .filter(i -> i % parallelism == subtask)
                .mapAsync(1, i -> i <= readings / 2 ? CompletableFuture.completedFuture(i) : secondHalf.thenApply(open -> i))
                .map(i -> new Reading(sensorOf(i), i));
        StreamOutput<Tuple2<String, Long>> output = AkkaStreams.output(testKit.system(), Delivery.EXACTLY_ONCE);

        JobBuilder job = JobBuilder.create("streams-exactly-once");
        job.source("readings", AkkaStreams.replayable(testKit.system(), stream, Reading::sequence)).parallelism(2)
                .keyBy(Reading::sensor)
                .process("count", CountReadings::new).parallelism(2)
                .sink("out", output.sink()).parallelism(2);
        JobHandle handle = Snapflow.submit(testKit.system(), job.build(),
                RuntimeSettings.create(testKit.system()).withRestartStrategy(RestartStrategy.fixedDelay(2, Duration.ofMillis(50))),
                CheckpointSettings.create(testKit.system()).withInterval(Duration.ofMillis(20)).withDirectory(checkpoints));
        output.watch(handle);
        CompletableFuture<List<Tuple2<String, Long>>> released = output.runWith(Sink.seq()).toCompletableFuture();

        handle.triggerCheckpoint(Duration.ofSeconds(30)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        failureArmed.set(true);
        secondHalf.complete(true);
        handle.result().toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(handle.failedAttempts()).extracting(JobAttemptFailure::restarted).containsExactly(true);
        assertThat(sorted(released.get(30, TimeUnit.SECONDS))).isEqualTo(sequentialCounts(readings));
    }

    @Test
    void a_slow_stream_holds_the_job_back_and_still_gets_every_record() throws Exception {
        long records = 30_000;
        StreamOutput<Long> output = AkkaStreams.output(testKit.system(), Delivery.AT_LEAST_ONCE, 100);
        JobBuilder job = JobBuilder.create("streams-backpressure");
        job.source("numbers", Sources.sequence(1, records)).parallelism(2)
                .sink("out", output.sink()).parallelism(1);
        JobHandle handle = Snapflow.submit(testKit.system(), job.build());
        SinkQueueWithCancel<Long> downstream = output.runWith(Sink.queue());

        TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(30), () -> {
            assertThat(handle.metrics().subtasks()).filteredOn(subtask -> subtask.name().startsWith("out")).isNotEmpty()
                    .extracting(JobMetrics.Subtask::backpressuredMillis).allMatch(millis -> millis > 0);
            return null;
        });
        assertThat(handle.result().toCompletableFuture()).as("the job waits for the stream").isNotDone();

        List<Long> received = new ArrayList<>();
        Optional<Long> next;
        while ((next = downstream.pull().toCompletableFuture().get(30, TimeUnit.SECONDS)).isPresent()) {
            received.add(next.get());
        }
        assertThat(received.stream().sorted().toList()).isEqualTo(LongStream.rangeClosed(1, records).boxed().toList());
        handle.result().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void a_subtask_reads_as_soon_as_its_stream_delivers_not_at_the_next_poll() throws Exception {
        CompletableFuture<List<Long>> later = new CompletableFuture<>();
        JobBuilder job = JobBuilder.create("streams-wake-up");
        job.source("later", AkkaStreams.atMostOnce(testKit.system(),
                        akka.stream.javadsl.Source.completionStage(later).mapConcat(values -> values)))
                .sink("collected", dev.snapflow.engine.connectors.Sinks.collect());
        // Polling (and the flush timer, which also runs a turn) would wait an hour: only the stream's own signal
        // can wake the subtask in time.
        JobHandle handle = Snapflow.submit(testKit.system(), job.build(), RuntimeSettings.create(testKit.system())
                .withIdleSourcePollInterval(Duration.ofHours(1)).withFlushTimeout(Duration.ofHours(1)));
        TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(() -> assertThat(handle.metrics().subtasks()).isNotEmpty());

        later.complete(List.of(1L, 2L, 3L));
        assertThat(handle.result().toCompletableFuture().get(30, TimeUnit.SECONDS).<Long>collected("collected"))
                .containsExactly(1L, 2L, 3L);
    }

    @Test
    void a_stream_that_stops_taking_records_fails_the_job_instead_of_holding_it_for_good() throws Exception {
        StreamOutput<Long> output = AkkaStreams.output(testKit.system(), Delivery.AT_LEAST_ONCE, 100);
        JobBuilder job = JobBuilder.create("streams-cancelled");
        job.source("numbers", Sources.sequence(1, 100_000)).parallelism(1).sink("out", output.sink());
        JobHandle handle = Snapflow.submit(testKit.system(), job.build(),
                RuntimeSettings.create(testKit.system()).withRestartStrategy(RestartStrategy.none()));
        output.watch(handle);

        assertThat(output.source().take(5).runWith(Sink.seq(), testKit.system()).toCompletableFuture()
                .get(30, TimeUnit.SECONDS)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThatThrownBy(() -> handle.result().toCompletableFuture().get(30, TimeUnit.SECONDS))
                .rootCause().hasMessageContaining("stream output of sink 'out' takes no more records")
                .hasMessageContaining("downstream cancelled it");
    }

    @Test
    void a_watched_output_completes_when_its_job_stops_with_a_savepoint() throws Exception {
        StreamOutput<Long> output = AkkaStreams.output(testKit.system(), Delivery.EXACTLY_ONCE);
        JobBuilder job = JobBuilder.create("streams-savepoint");
        job.source("numbers", AkkaStreams.replayable(testKit.system(),
                        (subtask, parallelism, after) -> akka.stream.javadsl.Source.<Long>repeat(1L).take(after < 500 ? 500 - after : 0)
                                .concat(akka.stream.javadsl.Source.never()),
                        value -> 0L)).parallelism(1)
                .sink("out", output.sink());
        JobHandle handle = Snapflow.submit(testKit.system(), job.build(), RuntimeSettings.create(testKit.system()),
                CheckpointSettings.create(testKit.system()).withoutInterval().withDirectory(checkpoints));
        output.watch(handle);
        CompletableFuture<List<Long>> released = output.runWith(Sink.seq()).toCompletableFuture();
        testKit.createTestProbe().awaitAssert(() -> assertThat(handle.metrics().subtasks())
                .extracting(JobMetrics.Subtask::recordsIn).containsExactly(500L));

        handle.stopWithSavepoint(checkpoints.resolve("savepoint"), Duration.ofSeconds(30)).toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(released.get(30, TimeUnit.SECONDS)).as("completed with what the savepoint committed").hasSize(500);
    }

    @Test
    void a_plain_source_is_read_by_one_subtask_and_refused_by_more() throws Exception {
        List<String> words = List.of("alpha", "beta", "gamma", "delta");
        JobBuilder job = JobBuilder.create("streams-plain");
        job.source("words", AkkaStreams.atMostOnce(testKit.system(), akka.stream.javadsl.Source.from(words))).parallelism(1)
                .sink("collected", dev.snapflow.engine.connectors.Sinks.collect());
        assertThat(Snapflow.submit(testKit.system(), job.build()).result().toCompletableFuture().get(30, TimeUnit.SECONDS)
                .<String>collected("collected")).isEqualTo(words);

        JobBuilder wide = JobBuilder.create("streams-plain-wide");
        wide.source("words", AkkaStreams.atMostOnce(testKit.system(), akka.stream.javadsl.Source.from(words))).parallelism(2)
                .sink("collected", dev.snapflow.engine.connectors.Sinks.collect());
        assertThatThrownBy(() -> Snapflow.submit(testKit.system(), wide.build(),
                RuntimeSettings.create(testKit.system()).withRestartStrategy(RestartStrategy.none()))
                .result().toCompletableFuture().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(JobExecutionException.class)
                .rootCause().hasMessageContaining("parallelism(1)");
    }

    @Test
    void a_failing_stream_fails_the_job_and_an_output_is_materialized_once() throws Exception {
        StreamOutput<Long> output = AkkaStreams.output(testKit.system(), Delivery.AT_LEAST_ONCE);
        JobBuilder job = JobBuilder.create("streams-failing");
        job.source("broken", AkkaStreams.atMostOnce(testKit.system(),
                        akka.stream.javadsl.Source.<Long>failed(new IllegalStateException("upstream is gone"))))
                .sink("out", output.sink());
        JobHandle handle = Snapflow.submit(testKit.system(), job.build(),
                RuntimeSettings.create(testKit.system()).withRestartStrategy(RestartStrategy.none()));
        output.watch(handle);
        CompletableFuture<List<Long>> released = output.runWith(Sink.seq()).toCompletableFuture();

        assertThatThrownBy(() -> released.get(30, TimeUnit.SECONDS)).rootCause().hasMessage("upstream is gone");
        assertThatThrownBy(() -> output.runWith(Sink.seq())).hasMessageContaining("materialized only once");
    }
}
