package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.engine.api.ProcessFunction;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.serialization.record.Tuple2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Rebalance, broadcast, forward and hash edges deliver every record the expected number of times. */
class PartitioningTest {

    private static final int N = 20_000;
    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    /** Tags each record with the subtask that saw it. */
    static final class TagSubtask implements ProcessFunction<Long, Tuple2<Integer, Long>> {
        @Override
        public void processElement(Long value, Context context, Collector<Tuple2<Integer, Long>> out) {
            out.collect(Tuple2.of(context.runtimeContext().subtaskIndex(), value));
        }
    }

    /** Tags each keyed record with the subtask that saw it, checking the current key on the way. */
    static final class TagKeyedSubtask implements KeyedProcessFunction<Long, Long, Tuple2<Integer, Long>> {
        @Override
        public void processElement(Long value, Context<Long> context, Collector<Tuple2<Integer, Long>> out) {
            if (!context.currentKey().equals(value % 97)) {
                throw new IllegalStateException("current key " + context.currentKey() + " for " + value);
            }
            out.collect(Tuple2.of(context.runtimeContext().subtaskIndex(), value));
        }
    }

    private static JobResult run(JobBuilder job) throws Exception {
        return Snapflow.submit(testKit.system(), job.build()).result().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static Map<Long, Long> countsPerValue(List<Tuple2<Integer, Long>> records) {
        return records.stream().collect(Collectors.groupingBy(Tuple2::f1, Collectors.counting()));
    }

    @Test
    void when_rebalancing_then_every_record_arrives_once_spread_over_all_subtasks() throws Exception {
        JobBuilder job = JobBuilder.create("rebalance");
        job.source("numbers", Sources.sequence(1, N)).parallelism(2)
                .rebalance().process("tag", TagSubtask::new).parallelism(3)
                .sink("out", Sinks.collect()).parallelism(3);

        List<Tuple2<Integer, Long>> out = run(job).collected("out");

        assertThat(countsPerValue(out)).hasSize(N).allSatisfy((value, count) -> assertThat(count).isEqualTo(1));
        Map<Integer, Long> perSubtask = out.stream().collect(Collectors.groupingBy(Tuple2::f0, Collectors.counting()));
        assertThat(perSubtask.keySet()).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(perSubtask.values()).allSatisfy(count -> assertThat(count).isBetween((long) N / 3 - 2, (long) N / 3 + 2));
    }

    @Test
    void when_broadcasting_then_every_subtask_gets_every_record() throws Exception {
        JobBuilder job = JobBuilder.create("broadcast");
        job.source("numbers", Sources.sequence(1, N)).parallelism(2)
                .broadcast().process("tag", TagSubtask::new).parallelism(3)
                .sink("out", Sinks.collect()).parallelism(3);

        List<Tuple2<Integer, Long>> out = run(job).collected("out");

        assertThat(out).hasSize(3 * N);
        Map<Integer, List<Long>> perSubtask = out.stream().collect(Collectors.groupingBy(Tuple2::f0,
                Collectors.mapping(Tuple2::f1, Collectors.toList())));
        List<Long> all = LongStream.rangeClosed(1, N).boxed().toList();
        assertThat(perSubtask).hasSize(3).allSatisfy((subtask, values) ->
                assertThat(values).containsExactlyInAnyOrderElementsOf(all));
    }

    @Test
    void when_forwarding_through_a_channel_then_subtask_i_sees_exactly_source_i_in_order() throws Exception {
        JobBuilder job = JobBuilder.create("forward");
        job.source("numbers", Sources.sequence(1, N)).parallelism(2)
                .forward().process("tag", TagSubtask::new).parallelism(2).startNewChain()
                .sink("out", Sinks.collect()).parallelism(2);

        List<Tuple2<Integer, Long>> out = run(job).collected("out");

        // Sources.sequence gives subtask 0 the first half and subtask 1 the second half, in order.
        List<Tuple2<Integer, Long>> expected = LongStream.rangeClosed(1, N)
                .mapToObj(v -> Tuple2.of(v <= N / 2 ? 0 : 1, v)).toList();
        assertThat(out).containsExactlyElementsOf(expected);
    }

    @Test
    void when_hash_partitioning_then_each_key_lives_on_exactly_one_subtask() throws Exception {
        JobBuilder job = JobBuilder.create("hash");
        job.source("numbers", Sources.sequence(1, N)).parallelism(2)
                .keyBy(value -> value % 97)
                .process("tag", TagKeyedSubtask::new).parallelism(3)
                .sink("out", Sinks.collect()).parallelism(3);

        List<Tuple2<Integer, Long>> out = run(job).collected("out");

        assertThat(countsPerValue(out)).hasSize(N);
        Map<Long, java.util.Set<Integer>> subtasksPerKey = out.stream().collect(Collectors.groupingBy(
                t -> t.f1() % 97, Collectors.mapping(Tuple2::f0, Collectors.toSet())));
        assertThat(subtasksPerKey).hasSize(97).allSatisfy((key, subtasks) -> assertThat(subtasks).hasSize(1));
        assertThat(subtasksPerKey.values().stream().map(s -> s.iterator().next()).distinct().count()).isEqualTo(3);
        assertThat(subtasksPerKey).allSatisfy((key, subtasks) -> assertThat(subtasks.iterator().next())
                .isEqualTo(dev.snapflow.engine.state.KeyGroupRangeAssignment.subtaskForKey(key, 128, 3)));
    }

    @Test
    void when_a_stream_fans_out_then_each_branch_gets_every_record() throws Exception {
        JobBuilder job = JobBuilder.create("fan-out");
        var numbers = job.source("numbers", Sources.sequence(1, N));
        numbers.filter("even", x -> x % 2 == 0).sink("evens", Sinks.collect());
        numbers.map("negate", x -> -x).sink("negated", Sinks.discard());

        JobResult result = run(job);

        assertThat(result.<Long>collected("evens")).hasSize(N / 2).allSatisfy(x -> assertThat(x % 2).isZero());
        assertThat(result.records("negated")).isEqualTo(N);
        assertThat(result.sinks().keySet()).containsExactly("evens", "negated");
    }
}
