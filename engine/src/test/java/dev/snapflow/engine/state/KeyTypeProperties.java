package dev.snapflow.engine.state;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.record.Tuple2;
import dev.snapflow.serialization.record.Tuple3;
import dev.snapflow.serialization.record.ValueCodec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every key type {@code keyBy} accepts finds its state again after a snapshot and a restore, at
 * the same and at another parallelism: keys read back equal, with the same key group.
 */
class KeyTypeProperties {

    private static final StateDescriptor.Value<Long> COUNT = new StateDescriptor.Value<>("count", RecordSerializers.longs());
    private static final int MAX_PARALLELISM = 128;

    private static ActorSystem<Void> system;
    private static ValueCodec codec;

    public enum Color { RED, GREEN, BLUE }

    public record Reading(String sensor, int floor) {
    }

    public record Tagged(Color color, long id) {
    }

    /** A POJO key in the Flink style: no-argument constructor, getters and setters, equals and hashCode. */
    public static final class Account {
        private String owner;
        private long number;

        public Account() {
        }

        Account(String owner, long number) {
            this.owner = owner;
            this.number = number;
        }

        public String getOwner() {
            return owner;
        }

        public void setOwner(String owner) {
            this.owner = owner;
        }

        public long getNumber() {
            return number;
        }

        public void setNumber(long number) {
            this.number = number;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Account account && account.number == number && Objects.equals(account.owner, owner);
        }

        @Override
        public int hashCode() {
            return Objects.hash(owner, number);
        }

        @Override
        public String toString() {
            return "Account(" + owner + ", " + number + ")";
        }
    }

    @BeforeContainer
    static void startSystem() {
        system = ActorSystem.create(Behaviors.empty(), "key-types");
        codec = ValueCodec.create(system);
    }

    @AfterContainer
    static void stopSystem() {
        system.terminate();
    }

    @Provide
    Arbitrary<Object> keys() {
        Arbitrary<String> strings = Arbitraries.strings().ofMaxLength(12);
        Arbitrary<Color> colors = Arbitraries.of(Color.class);
        Arbitrary<Object> plain = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.integers(), strings,
                Arbitraries.doubles(), Arbitraries.shorts(), Arbitraries.bytes(), Arbitraries.floats(), Arbitraries.chars(),
                Arbitraries.of(true, false), colors);
        return Arbitraries.oneOf(plain,
                Combinators.combine(plain, plain).as(Tuple2::of),
                Combinators.combine(plain, strings, plain).as(Tuple3::of),
                Combinators.combine(strings, Arbitraries.integers()).as(Reading::new),
                Combinators.combine(colors, Arbitraries.longs()).as(Tagged::new),
                Combinators.combine(colors, Combinators.combine(strings, Arbitraries.integers()).as(Reading::new)).as(Tuple2::of),
                Combinators.combine(strings, Arbitraries.longs()).as(Account::new));
    }

    @Provide
    Arbitrary<List<Object>> keyLists() {
        return keys().list().ofMaxSize(60);
    }

    @Property(tries = 200)
    void every_key_finds_its_state_after_a_restore_at_any_parallelism(
            @ForAll("keyLists") List<Object> keys, @ForAll @IntRange(min = 1, max = 5) int newParallelism) throws Exception {
        HeapKeyedStateBackend before = new HeapKeyedStateBackend(MAX_PARALLELISM, new KeyGroupRange(0, MAX_PARALLELISM - 1), codec);
        Map<Object, Long> expected = new HashMap<>();
        for (Object key : keys) {
            before.setCurrentKey(key);
            long next = expected.merge(key, 1L, Long::sum);
            before.state(COUNT).update(next);
        }
        byte[] snapshot = before.snapshot();

        Map<Object, Long> restored = new HashMap<>();
        for (int subtask = 0; subtask < newParallelism; subtask++) {
            KeyGroupRange range = KeyGroupRangeAssignment.rangeForSubtask(MAX_PARALLELISM, newParallelism, subtask);
            HeapKeyedStateBackend after = new HeapKeyedStateBackend(MAX_PARALLELISM, range, codec);
            after.restore(snapshot);
            for (Object key : expected.keySet()) {
                if (range.contains(KeyGroupRangeAssignment.keyGroupFor(key, MAX_PARALLELISM))) {
                    after.setCurrentKey(key);
                    Long count = after.state(COUNT).value();
                    assertThat(count).as("state of key %s (%s) on subtask %d", key, key.getClass().getSimpleName(), subtask)
                            .isNotNull();
                    restored.put(key, count);
                }
            }
        }

        assertThat(restored).isEqualTo(expected);
    }

    @Property(tries = 300)
    void every_key_reads_back_equal_with_the_same_key_group(@ForAll("keys") Object key) throws Exception {
        Object back = codec.fromBytes(codec.toBytes(key), "a key");

        assertThat(back).isEqualTo(key).hasSameHashCodeAs(key);
        assertThat(KeyGroupRangeAssignment.keyGroupFor(back, MAX_PARALLELISM))
                .isEqualTo(KeyGroupRangeAssignment.keyGroupFor(key, MAX_PARALLELISM));
    }
}
