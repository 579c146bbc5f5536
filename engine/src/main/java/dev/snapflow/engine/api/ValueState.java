package dev.snapflow.engine.api;

/** One value for the current key; {@code null} when the key has none. */
public interface ValueState<T> {
    T value();

    /** Sets the current key's value; {@code null} clears it. */
    void update(T value);

    void clear();
}
