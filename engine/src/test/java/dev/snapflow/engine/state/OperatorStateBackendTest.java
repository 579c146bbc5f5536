package dev.snapflow.engine.state;

import dev.snapflow.engine.api.ListState;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.serialization.record.RecordSerializers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OperatorStateBackendTest {

    private static final StateDescriptor.List<Long> OFFSETS = new StateDescriptor.List<>("offsets", RecordSerializers.longs());
    private static final StateDescriptor.List<String> CONFIG = new StateDescriptor.List<>("config", RecordSerializers.strings());
    private static final Map<String, StateDescriptor.List<?>> ALL = Map.of("offsets", OFFSETS, "config", CONFIG);

    private static byte[] subtask(List<Long> offsets, List<String> config) throws IOException {
        OperatorStateBackend backend = new OperatorStateBackend();
        backend.listState(OFFSETS).update(offsets);
        backend.unionListState(CONFIG).update(config);
        return backend.snapshot();
    }

    @Test
    void when_a_snapshot_is_read_back_then_every_list_is_there_in_order() throws IOException {
        OperatorStateBackend backend = new OperatorStateBackend();
        ListState<Long> offsets = backend.listState(OFFSETS);
        offsets.add(3L);
        offsets.add(1L);
        backend.unionListState(CONFIG).add("a");

        Map<String, List<Object>> read = OperatorStateBackend.read(backend.snapshot(), ALL);

        assertThat(read.get("offsets")).containsExactly(3L, 1L);
        assertThat(read.get("config")).containsExactly("a");
        assertThat(backend.listState(OFFSETS)).isSameAs(offsets);
    }

    @Test
    void when_rescaling_from_three_to_two_then_even_split_lists_are_shared_and_union_lists_given_whole() throws IOException {
        List<byte[]> old = List.of(
                subtask(List.of(1L, 2L), List.of("a")),
                subtask(List.of(3L), List.of("b")),
                subtask(List.of(4L, 5L, 6L), List.of()));

        List<byte[]> rescaled = OperatorStateBackend.redistribute(old, 2);

        assertThat(rescaled).hasSize(2);
        List<Object> allOffsets = new ArrayList<>();
        for (byte[] snapshot : rescaled) {
            Map<String, List<Object>> read = OperatorStateBackend.read(snapshot, ALL);
            assertThat(read.get("config")).containsExactly("a", "b");
            assertThat(read.get("offsets")).hasSize(3);
            allOffsets.addAll(read.get("offsets"));
        }
        assertThat(allOffsets).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void when_rescaling_from_one_to_four_then_nothing_is_lost_or_doubled() throws IOException {
        List<byte[]> rescaled = OperatorStateBackend.redistribute(List.of(subtask(List.of(1L, 2L, 3L), List.of("x"))), 4);

        List<Object> allOffsets = new ArrayList<>();
        for (byte[] snapshot : rescaled) {
            Map<String, List<Object>> read = OperatorStateBackend.read(snapshot, ALL);
            allOffsets.addAll(read.get("offsets"));
            assertThat(read.get("config")).containsExactly("x");
        }
        assertThat(allOffsets).containsExactly(1L, 2L, 3L);
    }

    @Test
    void when_restored_then_lists_come_back_when_used_and_unused_ones_survive_the_next_snapshot() throws IOException {
        OperatorStateBackend backend = new OperatorStateBackend();
        backend.restore(subtask(List.of(7L, 8L), List.of("c")));

        assertThat(backend.listState(OFFSETS).get()).containsExactly(7L, 8L);
        Map<String, List<Object>> next = OperatorStateBackend.read(backend.snapshot(), ALL);
        assertThat(next.get("offsets")).containsExactly(7L, 8L);
        assertThat(next.get("config")).containsExactly("c");
    }

    @Test
    void when_a_list_changes_mode_then_it_is_refused() {
        OperatorStateBackend backend = new OperatorStateBackend();
        backend.listState(OFFSETS);

        assertThatThrownBy(() -> backend.unionListState(OFFSETS))
                .hasMessage("Operator state 'offsets' is a EVEN_SPLIT list, not a UNION list");
    }

    @Test
    void when_a_snapshot_is_corrupt_then_an_io_exception_says_so() {
        assertThatThrownBy(() -> OperatorStateBackend.redistribute(List.of(new byte[] {0, 0, 0, 9}), 2))
                .isInstanceOf(IOException.class)
                .hasMessage("Unsupported operator state format version 9");
    }
}
