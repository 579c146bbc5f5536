package dev.snapflow.engine.api;

/** A value for the current key into which added values are folded; {@code null} when empty. */
public interface ReducingState<T> {
    T get();

    void add(T value) throws Exception;

    void clear();
}
