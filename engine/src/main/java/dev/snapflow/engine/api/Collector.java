package dev.snapflow.engine.api;

/** Receives the records a function emits; they go downstream in the order collected. */
@FunctionalInterface
public interface Collector<T> {
    /** Emits one record; records must not be null and must not be changed after emitting. */
    void collect(T record);
}
