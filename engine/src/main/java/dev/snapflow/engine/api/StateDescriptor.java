package dev.snapflow.engine.api;

import dev.snapflow.serialization.record.RecordSerializer;

import java.util.Objects;

/**
 * Names a piece of keyed state and says how to serialize it. The name is unique within an
 * operator; the same descriptor always yields the same state, scoped to the current key.
 */
public sealed interface StateDescriptor<S> {

    String name();

    /** A single value per key. */
    record Value<T>(String name, RecordSerializer<T> serializer) implements StateDescriptor<ValueState<T>> {
        public Value {
            requireName(name);
            Objects.requireNonNull(serializer, "serializer");
        }
    }

    /** A list of values per key. */
    record List<T>(String name, RecordSerializer<T> serializer) implements StateDescriptor<ListState<T>> {
        public List {
            requireName(name);
            Objects.requireNonNull(serializer, "serializer");
        }
    }

    /** A map per key. */
    record Map<K, V>(String name, RecordSerializer<K> keySerializer, RecordSerializer<V> valueSerializer)
            implements StateDescriptor<MapState<K, V>> {
        public Map {
            requireName(name);
            Objects.requireNonNull(keySerializer, "keySerializer");
            Objects.requireNonNull(valueSerializer, "valueSerializer");
        }
    }

    /** A value per key that every added value is folded into with {@code reducer}. */
    record Reducing<T>(String name, ReduceFunction<T> reducer, RecordSerializer<T> serializer)
            implements StateDescriptor<ReducingState<T>> {
        public Reducing {
            requireName(name);
            Objects.requireNonNull(reducer, "reducer");
            Objects.requireNonNull(serializer, "serializer");
        }
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A state needs a name");
        }
    }
}
