package dev.snapflow.engine.api;

/**
 * A replayable source: it splits its input among the subtasks of the source operator, and each
 * subtask's reader exposes a position from which it can be read again. Built-ins are in
 * {@code dev.snapflow.engine.connectors.Sources}.
 */
public interface Source<T> {

    /** A reader for the share of the input that subtask {@code subtaskIndex} of {@code parallelism} reads. */
    SourceReader<T> createReader(int subtaskIndex, int parallelism) throws Exception;
}
