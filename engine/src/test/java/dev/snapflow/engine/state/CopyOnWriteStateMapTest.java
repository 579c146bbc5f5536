package dev.snapflow.engine.state;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CopyOnWriteStateMapTest {

    private static CopyOnWriteStateMap map() {
        return new CopyOnWriteStateMap(key -> 0, UnaryOperator.identity());
    }

    private static Map<Object, Object> contents(CopyOnWriteStateMap.Snapshot snapshot) {
        Map<Object, Object> contents = new HashMap<>();
        for (CopyOnWriteStateMap.Entry head : snapshot.buckets()) {
            for (CopyOnWriteStateMap.Entry e = head; e != null; e = e.next()) {
                assertThat(contents.put(e.key(), e.value())).as("key %s twice", e.key()).isNull();
            }
        }
        assertThat(contents).hasSize(snapshot.size());
        return contents;
    }

    @Test
    void when_the_map_grows_while_a_snapshot_is_outstanding_then_the_snapshot_is_unchanged() {
        CopyOnWriteStateMap map = map();
        Map<Object, Object> expected = new HashMap<>();
        for (long key = 0; key < 40; key++) {
            // Multiples of 64 share one bucket of the first 64: a long chain that growing splits.
            map.put(key * 64, key);
            expected.put(key * 64, key);
        }
        CopyOnWriteStateMap.Snapshot snapshot = map.snapshot();
        for (long key = 40; key < 5_000; key++) { // new keys first: the shared chain is split, not copied
            map.put(key * 64, -key);
        }
        for (long key = 0; key < 40; key++) {
            map.put(key * 64, -key);
        }
        map.remove(0L);

        assertThat(contents(snapshot)).isEqualTo(expected);
        assertThat(map.size()).isEqualTo(4_999);
        assertThat(map.get(64L)).isEqualTo(-1L);
    }

    @Test
    void when_entries_of_a_chain_are_removed_under_a_snapshot_then_the_snapshot_keeps_the_whole_chain() {
        CopyOnWriteStateMap map = map();
        for (long key = 0; key < 30; key++) {
            map.put(key * 1024, key);
        }
        CopyOnWriteStateMap.Snapshot snapshot = map.snapshot();
        for (long key = 0; key < 30; key += 2) {
            map.remove(key * 1024);
        }

        assertThat(contents(snapshot)).hasSize(30);
        assertThat(map.size()).isEqualTo(15);
        assertThat(map.get(2048L)).isNull();
        assertThat(map.get(1024L)).isEqualTo(1L);
    }

    @Test
    void when_a_value_is_read_privately_under_a_snapshot_then_it_is_copied_once() {
        CopyOnWriteStateMap map = new CopyOnWriteStateMap(key -> 0, value -> new ArrayList<>((List<?>) value));
        List<String> stored = new ArrayList<>(List.of("a"));
        map.put("k", stored);
        CopyOnWriteStateMap.Snapshot snapshot = map.snapshot();

        Object first = map.getPrivate("k");
        Object second = map.getPrivate("k");

        assertThat(first).isNotSameAs(stored).isSameAs(second);
        assertThat(contents(snapshot).get("k")).isSameAs(stored);
    }

    @Test
    void when_every_snapshot_is_released_then_values_are_changed_in_place_again() {
        CopyOnWriteStateMap map = new CopyOnWriteStateMap(key -> 0, value -> new ArrayList<>((List<?>) value));
        List<String> stored = new ArrayList<>(List.of("a"));
        map.put("k", stored);
        map.snapshot().release();
        map.forgetReleasedSnapshots();

        assertThat(map.getPrivate("k")).isSameAs(stored);
    }

    @Test
    void when_a_key_has_no_key_group_here_then_inserting_it_fails_and_the_map_is_unchanged() {
        CopyOnWriteStateMap map = new CopyOnWriteStateMap(key -> {
            throw new IllegalStateException("not mine");
        }, UnaryOperator.identity());

        assertThatThrownBy(() -> map.put("k", 1)).hasMessage("not mine");
        assertThat(map.size()).isZero();
        assertThat(map.get("k")).isNull();
    }

    @Test
    void when_keys_are_put_and_removed_over_and_over_then_the_change_list_stays_bounded_and_says_so() {
        CopyOnWriteStateMap map = map();
        map.trackChanges();
        map.put("kept", 1);
        for (int i = 0; i < 5_000; i++) {
            map.put("flapping", i);
            map.remove("flapping");
        }

        assertThat(map.changesOverflowed()).isTrue();
        CopyOnWriteStateMap.Snapshot snapshot = map.snapshot(true);
        assertThat(snapshot.changes()).hasSizeLessThanOrEqualTo(2 * 2 + 1024);
        assertThat(map.changesOverflowed()).as("a snapshot that took the changes starts afresh").isFalse();
        assertThat(contents(snapshot)).containsOnly(java.util.Map.entry("kept", 1));
    }
}
