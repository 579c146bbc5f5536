package dev.snapflow.engine.api;

import java.util.Map;

/** A map for the current key. */
public interface MapState<K, V> {
    V get(K key);

    void put(K key, V value);

    void remove(K key);

    boolean contains(K key);

    /** The current key's map, as an unmodifiable snapshot. */
    Map<K, V> entries();

    void clear();
}
