package dev.snapflow.engine.state;

import dev.snapflow.engine.api.ListState;
import dev.snapflow.engine.api.MapState;
import dev.snapflow.engine.api.ReducingState;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.record.ValueCodec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeapKeyedStateBackendTest {

    private static final StateDescriptor.Value<Long> COUNT = new StateDescriptor.Value<>("count", RecordSerializers.longs());
    private static final StateDescriptor.List<String> SEEN = new StateDescriptor.List<>("seen", RecordSerializers.strings());
    private static final StateDescriptor.Map<String, Integer> BY_WORD =
            new StateDescriptor.Map<>("by-word", RecordSerializers.strings(), RecordSerializers.ints());
    private static final StateDescriptor.Reducing<Long> MAX =
            new StateDescriptor.Reducing<>("max", Math::max, RecordSerializers.longs());
    private static final Map<String, StateDescriptor<?>> ALL = Map.of("count", COUNT, "seen", SEEN, "by-word", BY_WORD, "max", MAX);
    private static final ValueCodec KEYS = ValueCodec.builtInTypesOnly();

    private static HeapKeyedStateBackend everything() {
        return new HeapKeyedStateBackend(128, new KeyGroupRange(0, 127), KEYS);
    }

    @Test
    void when_the_key_changes_then_every_state_shows_that_keys_values() throws Exception {
        HeapKeyedStateBackend backend = everything();
        ValueState<Long> count = backend.state(COUNT);
        ListState<String> seen = backend.state(SEEN);
        MapState<String, Integer> byWord = backend.state(BY_WORD);
        ReducingState<Long> max = backend.state(MAX);

        backend.setCurrentKey("a");
        count.update(1L);
        seen.add("x");
        seen.add("y");
        byWord.put("w", 3);
        max.add(5L);
        max.add(2L);
        backend.setCurrentKey("b");
        assertThat(count.value()).isNull();
        assertThat(seen.get()).isEmpty();
        assertThat(byWord.entries()).isEmpty();
        assertThat(max.get()).isNull();
        count.update(7L);

        backend.setCurrentKey("a");
        assertThat(count.value()).isEqualTo(1L);
        assertThat(seen.get()).containsExactly("x", "y");
        assertThat(byWord.get("w")).isEqualTo(3);
        assertThat(byWord.contains("v")).isFalse();
        assertThat(max.get()).isEqualTo(5L);
        assertThat(backend.state(COUNT)).isSameAs(count);
    }

    @Test
    void when_a_snapshot_is_read_back_then_every_state_of_every_key_is_there() throws Exception {
        HeapKeyedStateBackend backend = everything();
        for (String key : List.of("a", "b", "c")) {
            backend.setCurrentKey(key);
            backend.state(COUNT).update((long) key.charAt(0));
            backend.state(SEEN).update(List.of(key, key + key));
            backend.state(BY_WORD).put(key, key.length());
            backend.state(MAX).add(3L);
        }

        Map<String, Map<Object, Object>> read = HeapKeyedStateBackend.read(backend.snapshot(), ALL, KEYS);

        assertThat(read.get("count")).containsOnly(Map.entry("a", 97L), Map.entry("b", 98L), Map.entry("c", 99L));
        assertThat(read.get("seen")).containsEntry("b", List.of("b", "bb"));
        assertThat(read.get("by-word")).containsEntry("c", Map.of("c", 1));
        assertThat(read.get("max")).containsEntry("a", 3L);
    }

    @Test
    void when_a_snapshot_is_taken_then_later_changes_do_not_alter_it() throws Exception {
        HeapKeyedStateBackend backend = everything();
        backend.setCurrentKey(42L);
        backend.state(COUNT).update(1L);
        byte[] snapshot = backend.snapshot();

        backend.state(COUNT).update(2L);

        assertThat(HeapKeyedStateBackend.read(snapshot, ALL, KEYS).get("count")).containsOnly(Map.entry(42L, 1L));
    }

    @Test
    void when_a_two_phase_snapshot_is_completed_later_then_it_shows_the_state_at_the_snapshot() throws Exception {
        HeapKeyedStateBackend backend = new HeapKeyedStateBackend(128, new KeyGroupRange(0, 127), KEYS);
        backend.setCurrentKey("a");
        backend.state(COUNT).update(1L);
        backend.state(SEEN).add("x");
        backend.state(BY_WORD).put("w", 1);
        java.util.concurrent.Callable<byte[]> later = backend.snapshotInTwoPhases();

        backend.state(COUNT).update(2L);
        backend.state(SEEN).add("y");
        backend.state(BY_WORD).put("w", 2);
        backend.setCurrentKey("b");
        backend.state(COUNT).update(5L);

        Map<String, Map<Object, Object>> read = HeapKeyedStateBackend.read(later.call(), ALL, KEYS);
        assertThat(read.get("count")).containsOnly(Map.entry("a", 1L));
        assertThat(read.get("seen")).containsOnly(Map.entry("a", List.of("x")));
        assertThat(read.get("by-word")).containsOnly(Map.entry("a", Map.of("w", 1)));
    }

    @Test
    void when_a_mutable_value_is_changed_through_the_state_after_a_snapshot_then_the_snapshot_keeps_the_old_one() throws Exception {
        StateDescriptor.Value<byte[]> blob = new StateDescriptor.Value<>("blob", RecordSerializers.byteArrays());
        HeapKeyedStateBackend backend = new HeapKeyedStateBackend(128, new KeyGroupRange(0, 127), KEYS);
        backend.setCurrentKey("a");
        byte[] value = {1, 2, 3};
        backend.state(blob).update(value);
        java.util.concurrent.Callable<byte[]> later = backend.snapshotInTwoPhases();

        backend.state(blob).value()[0] = 9; // a user changing the value the state returned
        assertThat(backend.state(blob).value()).containsExactly(9, 2, 3);

        Map<String, Map<Object, Object>> read = HeapKeyedStateBackend.read(later.call(), Map.of("blob", blob), KEYS);
        assertThat((byte[]) read.get("blob").get("a")).containsExactly(1, 2, 3);
    }

    @Test
    void when_a_snapshot_is_restored_at_another_parallelism_then_each_subtask_gets_its_key_groups() throws Exception {
        HeapKeyedStateBackend whole = everything();
        for (long key = 0; key < 500; key++) {
            whole.setCurrentKey(key);
            whole.state(COUNT).update(key * 10);
            whole.state(SEEN).add("k" + key);
        }
        byte[] snapshot = whole.snapshot();

        long restoredKeys = 0;
        for (int subtask = 0; subtask < 3; subtask++) {
            KeyGroupRange range = KeyGroupRangeAssignment.rangeForSubtask(128, 3, subtask);
            HeapKeyedStateBackend part = new HeapKeyedStateBackend(128, range, KEYS);
            part.restore(snapshot);
            Map<String, Map<Object, Object>> read = HeapKeyedStateBackend.read(part.snapshot(), ALL, KEYS);
            for (Object key : read.get("count").keySet()) {
                assertThat(range.contains(KeyGroupRangeAssignment.keyGroupFor(key, 128))).isTrue();
                part.setCurrentKey(key);
                assertThat(part.state(COUNT).value()).isEqualTo((Long) key * 10);
                assertThat(part.state(SEEN).get()).containsExactly("k" + key);
            }
            restoredKeys += read.get("count").size();
        }
        assertThat(restoredKeys).isEqualTo(500);
    }

    @Test
    void when_the_max_parallelism_differs_then_restore_is_refused() throws Exception {
        HeapKeyedStateBackend backend = everything();
        backend.setCurrentKey(1L);
        backend.state(COUNT).update(1L);

        assertThatThrownBy(() -> new HeapKeyedStateBackend(256, new KeyGroupRange(0, 255), KEYS).restore(backend.snapshot()))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("the max parallelism cannot change across a restore");
    }

    @Test
    void when_a_key_belongs_to_another_subtask_then_storing_it_is_refused() {
        HeapKeyedStateBackend backend = new HeapKeyedStateBackend(128, KeyGroupRangeAssignment.rangeForSubtask(128, 2, 0), KEYS);
        long foreign = 0;
        while (KeyGroupRangeAssignment.subtaskForKey(foreign, 128, 2) == 0) {
            foreign++;
        }
        backend.setCurrentKey(foreign);

        assertThatThrownBy(() -> backend.state(COUNT).update(1L)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not in this subtask's KeyGroupRange[0..63]");
    }

    @Test
    void when_snapshotting_then_entries_are_grouped_by_key_group_in_order() throws Exception {
        HeapKeyedStateBackend backend = everything();
        for (long key = 0; key < 1000; key++) {
            backend.setCurrentKey(key);
            backend.state(COUNT).update(key);
        }
        java.nio.ByteBuffer snapshot = java.nio.ByteBuffer.wrap(backend.snapshot());
        snapshot.getInt();
        snapshot.getInt();
        snapshot.getInt();
        snapshot.position(snapshot.position() + 2 + "count".length() + 1);

        int groups = snapshot.getInt();
        int previous = -1;
        long entries = 0;
        for (int i = 0; i < groups; i++) {
            int keyGroup = snapshot.getInt();
            assertThat(keyGroup).isGreaterThan(previous);
            previous = keyGroup;
            int count = snapshot.getInt();
            for (int e = 0; e < count; e++) {
                assertThat(snapshot.get()).as("the tag of a long key").isEqualTo((byte) 1);
                long key = snapshot.getLong();
                assertThat(KeyGroupRangeAssignment.keyGroupFor(key, 128)).isEqualTo(keyGroup);
                snapshot.position(snapshot.position() + 4 + 8);
                entries++;
            }
        }
        assertThat(entries).isEqualTo(1000);
    }

    @Test
    void when_a_name_is_reused_for_another_kind_then_it_is_refused() {
        HeapKeyedStateBackend backend = everything();
        backend.state(COUNT);

        assertThatThrownBy(() -> backend.state(new StateDescriptor.List<>("count", RecordSerializers.longs())))
                .hasMessage("State 'count' is a VALUE state, not a LIST state");
    }

    @Test
    void when_there_is_no_current_key_then_state_access_is_refused() {
        HeapKeyedStateBackend backend = everything();

        assertThatThrownBy(() -> backend.state(COUNT).value())
                .hasMessage("Keyed state 'count' is only available while a record is processed");
    }
}
