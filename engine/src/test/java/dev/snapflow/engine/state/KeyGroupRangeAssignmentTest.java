package dev.snapflow.engine.state;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyGroupRangeAssignmentTest {

    @Test
    void when_hashing_the_murmur3_test_vector_then_the_published_value_comes_out() {
        // MurmurHash3_x86_32 of the bytes 21 43 65 87 (the little-endian int 0x87654321), seed 0.
        assertThat(KeyGroupRangeAssignment.murmurHashUnsigned(0x87654321)).isEqualTo(0xF55B516B);
        assertThat(KeyGroupRangeAssignment.murmurHash(0x87654321)).isEqualTo(-0xF55B516B);
    }

    @Test
    void when_parallelism_is_small_then_default_max_parallelism_is_128() {
        assertThat(KeyGroupRangeAssignment.defaultMaxParallelism(1)).isEqualTo(128);
        assertThat(KeyGroupRangeAssignment.defaultMaxParallelism(85)).isEqualTo(128);
        assertThat(KeyGroupRangeAssignment.defaultMaxParallelism(86)).isEqualTo(256);
        assertThat(KeyGroupRangeAssignment.defaultMaxParallelism(1000)).isEqualTo(2048);
        assertThat(KeyGroupRangeAssignment.defaultMaxParallelism(30_000)).isEqualTo(32_768);
    }

    @Test
    void when_max_parallelism_is_out_of_bounds_then_it_is_refused() {
        assertThatThrownBy(() -> KeyGroupRangeAssignment.keyGroupFor("k", 0))
                .hasMessage("Max parallelism must be between 1 and 32768, was 0");
        assertThatThrownBy(() -> KeyGroupRangeAssignment.rangeForSubtask(4, 5, 0))
                .hasMessage("Parallelism must be between 1 and the max parallelism 4, was 5");
    }

    @Test
    void when_ranges_are_computed_then_they_match_flinks_split() {
        assertThat(KeyGroupRangeAssignment.rangeForSubtask(128, 3, 0)).isEqualTo(new KeyGroupRange(0, 42));
        assertThat(KeyGroupRangeAssignment.rangeForSubtask(128, 3, 1)).isEqualTo(new KeyGroupRange(43, 85));
        assertThat(KeyGroupRangeAssignment.rangeForSubtask(128, 3, 2)).isEqualTo(new KeyGroupRange(86, 127));
    }

    @Property(tries = 300)
    void ranges_partition_all_key_groups_and_agree_with_the_owner_function(
            @ForAll @IntRange(min = 1, max = 4096) int maxParallelism,
            @ForAll @IntRange(min = 1, max = 4096) int parallelismSeed) {
        int parallelism = 1 + parallelismSeed % maxParallelism;
        int next = 0;
        for (int subtask = 0; subtask < parallelism; subtask++) {
            KeyGroupRange range = KeyGroupRangeAssignment.rangeForSubtask(maxParallelism, parallelism, subtask);
            assertThat(range.startKeyGroup()).isEqualTo(next);
            for (int keyGroup = range.startKeyGroup(); keyGroup <= range.endKeyGroup(); keyGroup++) {
                assertThat(KeyGroupRangeAssignment.subtaskForKeyGroup(maxParallelism, parallelism, keyGroup)).isEqualTo(subtask);
            }
            next = range.endKeyGroup() + 1;
        }
        assertThat(next).isEqualTo(maxParallelism);
    }

    @Property(tries = 1000)
    void every_key_lands_in_a_valid_key_group(@ForAll String key, @ForAll @IntRange(min = 1, max = 32768) int maxParallelism) {
        int keyGroup = KeyGroupRangeAssignment.keyGroupFor(key, maxParallelism);

        assertThat(keyGroup).isBetween(0, maxParallelism - 1);
    }
}
