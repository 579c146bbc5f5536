package dev.snapflow.engine.api;

import java.util.List;
import java.util.Optional;

/** One subtask's writer of a sink. Called only from its subtask, one call at a time. */
public interface SinkWriter<T> {

    void write(T record) throws Exception;

    /**
     * Hands on records the writer buffers. Called every {@code snapflow.runtime.flush-timeout}
     * while records flow and before each checkpoint snapshot of the sink, so a writer that batches
     * its output delays no record by more than the flush timeout and holds none a completed
     * checkpoint covers.
     */
    default void flush() throws Exception {
    }

    /**
     * Called once, before the first record, with the means to stop the subtask's input while the
     * writer's destination is full: records then wait upstream (credits are not granted) instead of
     * piling up in the writer. Writers that never fill up ignore it.
     */
    default void setFlowControl(FlowControl flowControl) {
    }

    /**
     * Called once after the last record. A sink that collects records returns them here; they
     * become part of the job's result.
     */
    default Optional<List<Object>> finish() throws Exception {
        return Optional.empty();
    }

    default void close() throws Exception {
    }

    /** How a sink writer holds back its subtask; see {@link #setFlowControl}. */
    interface FlowControl {

        /**
         * From {@code write}, {@code flush} or a checkpoint notification, on the subtask's thread:
         * the subtask hands the writer no more records until {@link #resume()}.
         */
        void pause();

        /** From any thread: the writer can take records again. Does nothing unless paused. */
        void resume();
    }
}
