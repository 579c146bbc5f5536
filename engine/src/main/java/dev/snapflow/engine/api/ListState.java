package dev.snapflow.engine.api;

import java.util.List;

/** A list of values for the current key; empty when the key has none. */
public interface ListState<T> {
    /** The current key's values, as an unmodifiable snapshot. */
    List<T> get();

    void add(T value);

    void update(List<T> values);

    void clear();
}
