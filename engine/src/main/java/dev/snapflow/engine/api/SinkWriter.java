package dev.snapflow.engine.api;

import java.util.List;
import java.util.Optional;

/** One subtask's writer of a sink. Called only from its subtask, one call at a time. */
public interface SinkWriter<T> {

    void write(T record) throws Exception;

    /**
     * Called once after the last record. A sink that collects records returns them here; they
     * become part of the job's result.
     */
    default Optional<List<Object>> finish() throws Exception {
        return Optional.empty();
    }

    default void close() throws Exception {
    }
}
