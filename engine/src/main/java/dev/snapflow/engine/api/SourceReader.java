package dev.snapflow.engine.api;

/**
 * Reads one subtask's share of a source. Called only from its subtask, one call at a time.
 *
 * <p>The position is the reader's replay point: after {@link #seek(long)} to a position taken
 * earlier, the reader emits exactly the records it emitted after that position was taken.
 */
public interface SourceReader<T> {

    /**
     * Emits at most {@code maxRecords} records to {@code output}.
     *
     * @return whether more records are available now, later, or never
     */
    ReadStatus read(Collector<T> output, int maxRecords) throws Exception;

    /** The position after the last record emitted. */
    long position();

    /** Continues from a position returned by {@link #position()} earlier. */
    void seek(long position) throws Exception;

    default void close() throws Exception {
    }
}
