package dev.snapflow.engine.testing;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.engine.api.CheckpointedFunction;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.ListState;
import dev.snapflow.engine.api.OperatorStateFunction;
import dev.snapflow.engine.api.OperatorStateStore;
import dev.snapflow.engine.api.ProcessFunction;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.state.KeyGroupRangeAssignment;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.record.Tuple2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One subtask of a function driven by hand: elements, output, state, snapshots and restores. */
class FunctionTestHarnessTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    static final StateDescriptor.Value<Long> COUNT = new StateDescriptor.Value<>("count", RecordSerializers.longs());

    /** Counts words in keyed state; throws on an empty word. */
    static final class CountWords implements KeyedProcessFunction<String, String, Tuple2<String, Long>> {
        @Override
        public void processElement(String word, Context<String> context, Collector<Tuple2<String, Long>> out) {
            if (word.isEmpty()) {
                throw new IllegalArgumentException("an empty word");
            }
            ValueState<Long> count = context.keyedState().state(COUNT);
            long next = count.value() == null ? 1 : count.value() + 1;
            count.update(next);
            out.collect(Tuple2.of(word, next));
        }
    }

    private static FunctionTestHarness<String, Tuple2<String, Long>> countWords() {
        return FunctionTestHarness.forKeyedProcessFunction(new CountWords(), (String word) -> word);
    }

    @Test
    void a_keyed_function_counts_and_its_snapshot_restores_into_a_new_harness() throws Exception {
        var harness = countWords();
        harness.processElements("to", "be", "or", "not", "to", "be");

        assertThat(harness.takeOutput()).containsExactly(Tuple2.of("to", 1L), Tuple2.of("be", 1L), Tuple2.of("or", 1L),
                Tuple2.of("not", 1L), Tuple2.of("to", 2L), Tuple2.of("be", 2L));
        assertThat(harness.keyedState("to", COUNT).value()).isEqualTo(2L);
        OperatorSnapshot snapshot = harness.snapshot(1);
        harness.processElement("to");
        assertThat(harness.takeOutput()).containsExactly(Tuple2.of("to", 3L));

        var restored = countWords().initializeState(snapshot);
        restored.processElement("to");
        assertThat(restored.output()).as("the element after the snapshot is not in it").containsExactly(Tuple2.of("to", 3L));
        assertThat(restored.keyedState("missing", COUNT).value()).isNull();
    }

    @Test
    void keyed_state_follows_its_key_groups_to_another_parallelism() throws Exception {
        List<String> words = IntStream.range(0, 200).mapToObj(i -> "word-" + i).toList();
        int maxParallelism = 128;
        List<OperatorSnapshot> snapshots = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            var harness = countWords().withSubtask(subtask, 2).withMaxParallelism(maxParallelism);
            for (String word : words) {
                if (KeyGroupRangeAssignment.subtaskForKey(word, maxParallelism, 2) == subtask) {
                    harness.processElements(word, word);
                }
            }
            snapshots.add(harness.snapshot(7));
        }

        for (int subtask = 0; subtask < 3; subtask++) {
            var restored = countWords().withSubtask(subtask, 3).withMaxParallelism(maxParallelism)
                    .initializeState(snapshots.toArray(OperatorSnapshot[]::new));
            for (String word : words) {
                if (KeyGroupRangeAssignment.subtaskForKey(word, maxParallelism, 3) == subtask) {
                    assertThat(restored.keyedState(word, COUNT).value()).as(word).isEqualTo(2L);
                }
            }
        }
    }

    @Test
    void a_restore_that_changes_the_max_parallelism_or_misses_subtasks_is_refused() throws Exception {
        var harness = countWords().withMaxParallelism(128);
        harness.processElement("to");
        OperatorSnapshot snapshot = harness.snapshot(1);

        assertThatThrownBy(() -> countWords().withMaxParallelism(256).initializeState(snapshot))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max parallelism cannot change");
        assertThatThrownBy(() -> countWords().withSubtask(0, 2).withMaxParallelism(128).initializeState(snapshot, snapshot))
                .hasMessageContaining("Two snapshots of subtask 0");
    }

    @Test
    void the_function_s_own_exception_comes_out_as_it_threw_it() {
        var harness = countWords();
        assertThatThrownBy(() -> harness.processElement("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an empty word");
    }

    @Test
    void a_record_key_is_written_with_the_actor_system_s_serialization() throws Exception {
        record Store(String city, int number) {
        }
        KeyedProcessFunction<Store, Store, Long> visits = (store, context, out) -> {
            ValueState<Long> count = context.keyedState().state(COUNT);
            count.update(count.value() == null ? 1 : count.value() + 1);
            out.collect(count.value());
        };
        var harness = FunctionTestHarness.forKeyedProcessFunction(visits, (Store store) -> store)
                .withActorSystem(testKit.system());
        harness.processElements(new Store("Lyon", 1), new Store("Lyon", 1), new Store("Oslo", 2));
        OperatorSnapshot snapshot = harness.snapshot(1);

        var restored = FunctionTestHarness.forKeyedProcessFunction(visits, (Store store) -> store)
                .withActorSystem(testKit.system()).initializeState(snapshot);
        assertThat(restored.keyedState(new Store("Lyon", 1), COUNT).value()).isEqualTo(2L);
    }

    /** Buffers elements in operator list state and emits them all at the end. */
    static final class BufferUntilEnd implements ProcessFunction<String, String>, OperatorStateFunction {
        static final StateDescriptor.List<String> BUFFER = new StateDescriptor.List<>("buffer", RecordSerializers.strings());
        private final List<String> buffered = new ArrayList<>();
        private ListState<String> state;

        @Override
        public void initializeState(OperatorStateStore store, boolean restored) {
            state = store.listState(BUFFER);
            buffered.addAll(state.get());
        }

        @Override
        public void prepareSnapshot(long checkpointId) {
            state.update(buffered);
        }

        @Override
        public void processElement(String value, Context context, Collector<String> out) {
            buffered.add(value);
        }

        @Override
        public void finish(Collector<String> out) {
            buffered.forEach(out::collect);
        }
    }

    @Test
    void operator_lists_are_split_as_a_rescaled_job_splits_them_and_finish_emits() throws Exception {
        List<OperatorSnapshot> snapshots = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            var harness = FunctionTestHarness.forProcessFunction(new BufferUntilEnd()).withSubtask(subtask, 2);
            harness.processElements("a" + subtask, "b" + subtask, "c" + subtask);
            snapshots.add(harness.snapshot(3));
        }

        var merged = FunctionTestHarness.forProcessFunction(new BufferUntilEnd())
                .initializeState(snapshots.toArray(OperatorSnapshot[]::new));
        assertThat(merged.operatorState(BufferUntilEnd.BUFFER)).containsExactlyInAnyOrder("a0", "b0", "c0", "a1", "b1", "c1");
        merged.processElement("d");
        merged.finish();
        assertThat(merged.output()).containsExactlyInAnyOrder("a0", "b0", "c0", "a1", "b1", "c1", "d");
    }

    @Test
    void at_the_same_parallelism_each_subtask_takes_its_own_snapshot_even_given_all() throws Exception {
        var first = FunctionTestHarness.forProcessFunction(new BufferUntilEnd()).withSubtask(0, 2);
        first.processElement("only");
        var second = FunctionTestHarness.forProcessFunction(new BufferUntilEnd()).withSubtask(1, 2);
        second.processElements("v", "w", "x", "y", "z");
        OperatorSnapshot[] snapshots = {first.snapshot(1), second.snapshot(1)};

        assertThat(FunctionTestHarness.forProcessFunction(new BufferUntilEnd()).withSubtask(0, 2).initializeState(snapshots)
                .operatorState(BufferUntilEnd.BUFFER)).containsExactly("only");
    }

    @Test
    void without_a_max_parallelism_of_its_own_the_harness_takes_the_snapshot_s() throws Exception {
        var harness = countWords().withMaxParallelism(256);
        harness.processElements("to", "to");
        OperatorSnapshot snapshot = harness.snapshot(1);

        assertThat(countWords().initializeState(snapshot).keyedState("to", COUNT).value()).isEqualTo(2L);
    }

    /** Keeps a running total in its own bytes. */
    static final class Total implements ProcessFunction<Long, Long>, CheckpointedFunction {
        private long total;

        @Override
        public void processElement(Long value, Context context, Collector<Long> out) {
            total += value;
            out.collect(total);
        }

        @Override
        public byte[] snapshotState(long checkpointId) {
            return ByteBuffer.allocate(Long.BYTES).putLong(total).array();
        }

        @Override
        public void restoreState(byte[] snapshot) {
            total = ByteBuffer.wrap(snapshot).getLong();
        }
    }

    @Test
    void a_checkpointed_function_restores_its_bytes_at_its_parallelism_only() throws Exception {
        var harness = FunctionTestHarness.forProcessFunction(new Total());
        harness.processElements(1L, 2L, 3L);
        OperatorSnapshot snapshot = harness.snapshot(1);

        var restored = FunctionTestHarness.forProcessFunction(new Total()).initializeState(snapshot);
        restored.processElement(4L);
        assertThat(restored.output()).containsExactly(10L);
        assertThatThrownBy(() -> FunctionTestHarness.forProcessFunction(new Total()).withSubtask(0, 2).initializeState(snapshot))
                .hasMessageContaining("cannot be split");
    }

    @Test
    void configuration_after_the_first_element_is_refused() throws Exception {
        var harness = countWords();
        harness.processElement("to");
        assertThatThrownBy(() -> harness.withSubtask(1, 2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before the first element");
    }
}
