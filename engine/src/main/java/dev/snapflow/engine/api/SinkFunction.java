package dev.snapflow.engine.api;

/**
 * A user function that consumes records, for {@code Sinks.forEach}. Called from every subtask of
 * the sink, possibly at the same time: make it thread-safe or use parallelism 1.
 */
@FunctionalInterface
public interface SinkFunction<T> {
    void invoke(T record) throws Exception;
}
