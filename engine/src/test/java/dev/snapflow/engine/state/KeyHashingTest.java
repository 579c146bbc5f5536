package dev.snapflow.engine.state;

import dev.snapflow.serialization.record.Tuple2;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyHashingTest {

    enum Side { BUY, SELL }

    record Order(Side side, String symbol) {
    }

    record Plain(String name, int count) {
    }

    static final class IdentityKey {
    }

    static final class WithEnumField {
        private final Side side;

        WithEnumField(Side side) {
            this.side = side;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof WithEnumField key && key.side == side;
        }

        @Override
        public int hashCode() {
            return side.hashCode();
        }
    }

    @Test
    void when_a_key_is_an_enum_then_it_hashes_by_its_name_not_its_identity() {
        assertThat(KeyHashing.hash(Side.SELL)).isEqualTo("SELL".hashCode());
    }

    @Test
    void when_tuples_and_records_hold_enums_then_their_fields_hash_by_name() {
        assertThat(KeyHashing.hash(Tuple2.of(Side.BUY, 7L))).isEqualTo(31 * "BUY".hashCode() + Long.hashCode(7L));
        assertThat(KeyHashing.hash(new Order(Side.BUY, "X"))).isEqualTo(31 * "BUY".hashCode() + "X".hashCode());
    }

    @Test
    void when_keys_hold_no_enum_then_they_hash_as_their_own_hash_code() {
        assertThat(KeyHashing.hash(Tuple2.of("a", 1L))).isEqualTo(Tuple2.of("a", 1L).hashCode());
        assertThat(KeyHashing.hash(new Plain("a", 2))).isEqualTo(new Plain("a", 2).hashCode());
        assertThat(KeyHashing.hash(42L)).isEqualTo(Long.hashCode(42L));
    }

    @Test
    void when_a_key_is_an_array_then_it_is_refused() {
        assertThatThrownBy(() -> KeyHashing.hash(new int[]{1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("int[]").hasMessageContaining("arrays hash by identity");
    }

    @Test
    void when_a_key_class_keeps_the_identity_hash_code_then_it_is_refused() {
        assertThatThrownBy(() -> KeyHashing.hash(new IdentityKey()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityKey.class.getName())
                .hasMessageContaining("does not override hashCode");
    }

    @Test
    void when_a_key_class_mixes_an_enum_into_its_own_hash_code_then_it_is_refused() {
        assertThatThrownBy(() -> KeyGroupRangeAssignment.keyGroupFor(new WithEnumField(Side.BUY), 128))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("field 'side' is an enum");
    }
}
