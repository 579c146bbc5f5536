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

    /** A POJO key whose enums sit in a collection: its own hashCode mixes in their identities. */
    static final class WithEnumList {
        private final java.util.List<Side> sides;

        WithEnumList(java.util.List<Side> sides) {
            this.sides = sides;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof WithEnumList key && key.sides.equals(sides);
        }

        @Override
        public int hashCode() {
            return sides.hashCode();
        }
    }

    /** A POJO key whose enum sits in a record it holds. */
    static final class WithOrder {
        private final Order order;

        WithOrder(Order order) {
            this.order = order;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof WithOrder key && key.order.equals(order);
        }

        @Override
        public int hashCode() {
            return order.hashCode();
        }
    }

    record Basket(java.util.List<Side> sides, java.util.Map<String, Side> bySymbol) {
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
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("field 'side' holds an enum");
    }

    @Test
    void when_lists_sets_and_maps_hold_enums_then_they_hash_their_elements_by_name_as_their_contracts_say() {
        assertThat(KeyHashing.hash(java.util.List.of(Side.BUY, Side.SELL))).isEqualTo(31 * (31 + "BUY".hashCode()) + "SELL".hashCode());
        assertThat(KeyHashing.hash(java.util.Set.of(Side.BUY, Side.SELL))).isEqualTo("BUY".hashCode() + "SELL".hashCode());
        assertThat(KeyHashing.hash(java.util.Map.of("x", Side.SELL))).isEqualTo("x".hashCode() ^ "SELL".hashCode());
        assertThat(KeyHashing.hash(new Basket(java.util.List.of(Side.SELL), java.util.Map.of())))
                .isEqualTo(31 * (31 + "SELL".hashCode()));
    }

    @Test
    void when_collections_hold_no_enum_then_they_hash_as_their_own_hash_code() {
        assertThat(KeyHashing.hash(java.util.List.of("a", 1L))).isEqualTo(java.util.List.of("a", 1L).hashCode());
        assertThat(KeyHashing.hash(new java.util.HashSet<>(java.util.Set.of("a", "b")))).isEqualTo(java.util.Set.of("a", "b").hashCode());
        assertThat(KeyHashing.hash(new java.util.TreeMap<>(java.util.Map.of("a", 2)))).isEqualTo(java.util.Map.of("a", 2).hashCode());
    }

    @Test
    void when_a_key_class_holds_enums_in_a_collection_or_a_record_then_it_is_refused_naming_the_field() {
        assertThatThrownBy(() -> KeyHashing.hash(new WithEnumList(java.util.List.of(Side.BUY))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(WithEnumList.class.getName()).hasMessageContaining("field 'sides' holds an enum");
        assertThatThrownBy(() -> KeyHashing.hash(new WithOrder(new Order(Side.BUY, "X"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("field 'order' holds an enum");
    }
}
