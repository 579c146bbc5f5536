package dev.snapflow.engine.streams;

/**
 * An Akka Streams source that can start again from a position, the shape of Akka Projections'
 * {@code SourceProvider}: given where the last checkpoint left a subtask, a source of what comes
 * after. Each subtask of the source operator reads its own split (for example one partition, or
 * every {@code parallelism}-th file); the split is chosen from the subtask's index.
 *
 * @param <T> the element type
 */
@FunctionalInterface
public interface ReplayableStream<T> {

    /**
     * The elements of subtask {@code subtaskIndex}'s split that come after {@code position}: 0
     * when the subtask starts afresh, otherwise a position {@code positionAfter} returned for an
     * element of this split. Called once per run of the subtask, on the subtask's thread; the
     * source is materialized by Snapflow and pulled only as fast as the job takes its elements.
     */
    akka.stream.javadsl.Source<T, ?> from(int subtaskIndex, int parallelism, long position) throws Exception;
}
