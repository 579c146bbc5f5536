package com.example.consumer;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.stream.javadsl.Sink;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.state.KeyGroupRangeAssignment;
import dev.snapflow.engine.streams.AkkaStreams;
import dev.snapflow.engine.streams.Delivery;
import dev.snapflow.engine.streams.StreamOutput;
import dev.snapflow.engine.testing.FunctionTestHarness;
import dev.snapflow.engine.testing.JobTestKit;
import dev.snapflow.engine.testing.OperatorSnapshot;
import dev.snapflow.engine.testing.TestInput;
import dev.snapflow.serialization.record.RecordSerializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The testing tools and the Akka Streams connector, used as an application would, with its own types. */
class ConsumerTestingTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    public enum Kind { HOT, COLD }

    public record Sensor(String name, Kind kind) {
    }

    public record Reading(Sensor sensor, long value) {
    }

    static final StateDescriptor.Value<Long> TOTAL = new StateDescriptor.Value<>("total", RecordSerializers.longs());

    /** A running total per sensor. */
    static final class Totals implements KeyedProcessFunction<Sensor, Reading, String> {
        @Override
        public void processElement(Reading reading, Context<Sensor> context, Collector<String> out) {
            ValueState<Long> total = context.keyedState().state(TOTAL);
            long next = (total.value() == null ? 0 : total.value()) + reading.value();
            total.update(next);
            out.collect(context.currentKey().name() + "=" + next);
        }
    }

    private static FunctionTestHarness<Reading, String> totals() {
        return FunctionTestHarness.forKeyedProcessFunction(new Totals(), Reading::sensor).withActorSystem(testKit.system());
    }

    @Test
    void a_function_with_record_keys_is_tested_restored_and_rescaled_with_the_harness() throws Exception {
        List<Sensor> sensors = List.of(new Sensor("a", Kind.HOT), new Sensor("b", Kind.COLD), new Sensor("c", Kind.HOT),
                new Sensor("d", Kind.COLD));
        int maxParallelism = 128;
        List<OperatorSnapshot> snapshots = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            FunctionTestHarness<Reading, String> harness = totals().withSubtask(subtask, 2).withMaxParallelism(maxParallelism);
            for (Sensor sensor : sensors) {
                if (KeyGroupRangeAssignment.subtaskForKey(sensor, maxParallelism, 2) == subtask) {
                    harness.processElements(new Reading(sensor, 5), new Reading(sensor, 7));
                    assertThat(harness.takeOutput()).containsExactly(sensor.name() + "=5", sensor.name() + "=12");
                }
            }
            snapshots.add(harness.snapshot(1));
        }

        FunctionTestHarness<Reading, String> merged = totals().withMaxParallelism(maxParallelism)
                .initializeState(snapshots.toArray(OperatorSnapshot[]::new));
        for (Sensor sensor : sensors) {
            assertThat(merged.keyedState(sensor, TOTAL).value()).isEqualTo(12L);
        }
        merged.processElement(new Reading(sensors.get(2), 1));
        assertThat(merged.output()).containsExactly("c=13");
    }

    @Test
    void a_job_fed_by_the_test_kit_answers_on_a_probe() throws Exception {
        JobTestKit jobs = JobTestKit.create(testKit);
        TestInput<Reading> readings = jobs.input();
        TestProbe<String> out = testKit.createTestProbe();
        JobBuilder job = JobBuilder.create("consumer-test-kit");
        job.source("readings", readings.source()).parallelism(1)
                .keyBy(Reading::sensor).process("totals", Totals::new).parallelism(2)
                .sink("out", jobs.probeSink(out)).parallelism(2);
        JobHandle handle = jobs.submit(job.build());

        readings.add(new Reading(new Sensor("a", Kind.HOT), 2));
        out.expectMessage("a=2");
        readings.add(new Reading(new Sensor("a", Kind.HOT), 3)).end();
        out.expectMessage("a=5");
        jobs.awaitResult(handle);
    }

    @Test
    void an_akka_streams_source_and_exactly_once_output_carry_the_application_s_records() throws Exception {
        long count = 5_000;
        StreamOutput<String> output = AkkaStreams.output(testKit.system(), Delivery.EXACTLY_ONCE);
        JobBuilder job = JobBuilder.create("consumer-streams");
        job.source("readings", AkkaStreams.replayable(testKit.system(),
                        (subtask, parallelism, after) -> akka.stream.javadsl.Source.range((int) after + 1, (int) count)
                                .filter(i -> i % parallelism == subtask)
                                .map(i -> new Reading(new Sensor("s" + i % 3, i % 3 == 0 ? Kind.HOT : Kind.COLD), i)),
                        Reading::value)).parallelism(2)
                .keyBy(Reading::sensor).process("totals", Totals::new).parallelism(2)
                .sink("out", output.sink()).parallelism(2);
        JobHandle handle = dev.snapflow.engine.Snapflow.submit(testKit.system(), job.build());
        output.watch(handle);

        List<String> released = output.runWith(Sink.seq()).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertThat(released).hasSize((int) count);
        long sum = LongStream.rangeClosed(1, count).sum();
        long finalTotals = released.stream().collect(java.util.stream.Collectors.groupingBy(line -> line.split("=")[0],
                        java.util.stream.Collectors.mapping(line -> Long.parseLong(line.split("=")[1]),
                                java.util.stream.Collectors.maxBy(Long::compare))))
                .values().stream().mapToLong(max -> max.orElseThrow()).sum();
        assertThat(finalTotals).isEqualTo(sum);
    }
}
