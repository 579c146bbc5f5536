package dev.snapflow.engine.api;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

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

    /**
     * After {@link #read} returned {@link ReadStatus#NOTHING_AVAILABLE}: a stage that completes
     * when records may be there, so that the subtask reads again at once instead of after
     * {@code snapflow.runtime.idle-source-poll-interval}. Empty (the default): the subtask polls.
     */
    default Optional<CompletionStage<?>> whenAvailable() {
        return Optional.empty();
    }

    /** The position after the last record emitted. */
    long position();

    /** Continues from a position returned by {@link #position()} earlier. */
    void seek(long position) throws Exception;

    default void close() throws Exception {
    }
}
