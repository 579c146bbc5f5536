package dev.snapflow.engine.streams;

import akka.actor.ClassicActorSystemProvider;
import akka.stream.Materializer;
import dev.snapflow.engine.api.Source;

import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Akka Streams in and out of a job. A source built here is materialized by each subtask of the
 * source operator on the given actor system; an output hands the job's records to a stream the
 * user materializes.
 *
 * <pre>{@code
 * Source<Long> numbers = AkkaStreams.replayable(system,
 *         (subtask, parallelism, after) -> akka.stream.javadsl.Source.range(after + 1, 1_000).map(i -> (long) i),
 *         number -> number);
 * StreamOutput<Long> output = AkkaStreams.output(system, Delivery.EXACTLY_ONCE);
 * job.source("numbers", numbers).parallelism(1)....sink("out", output.sink());
 * CompletionStage<List<Long>> all = output.runWith(akka.stream.javadsl.Sink.seq());
 * }</pre>
 */
public final class AkkaStreams {

    /** Records that may wait between a job and its stream output by default. */
    public static final int DEFAULT_OUTPUT_CAPACITY = 16 * StreamSourceReader.MAX_BATCH;

    private AkkaStreams() {
    }

    /**
     * A source that survives restarts exactly once: each subtask checkpoints the position after
     * the last element it emitted ({@code positionAfter} of that element) and, on a restart or
     * restore, asks {@code stream} for the elements after it.
     */
    public static <T> Source<T> replayable(ClassicActorSystemProvider system, ReplayableStream<T> stream,
                                           ToLongFunction<T> positionAfter) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(positionAfter, "positionAfter");
        Materializer materializer = Materializer.matFromSystem(system);
        return (subtaskIndex, parallelism) -> new StreamSourceReader<>(materializer, stream, subtaskIndex, parallelism,
                positionAfter);
    }

    /**
     * A source that cannot replay, read by a source operator of parallelism 1: at most once across
     * restarts. After a failure the subtask materializes {@code source} again, so elements it
     * emitted after the last checkpoint are lost (a source that starts over when materialized
     * again, like {@code Source.range}, repeats them instead).
     */
    public static <T> Source<T> atMostOnce(ClassicActorSystemProvider system, akka.stream.javadsl.Source<T, ?> source) {
        Objects.requireNonNull(source, "source");
        Materializer materializer = Materializer.matFromSystem(system);
        return (subtaskIndex, parallelism) -> {
            if (parallelism != 1) {
                throw new IllegalArgumentException("A plain Akka Streams source is read by one subtask; give its source "
                        + "operator parallelism(1), or use AkkaStreams.replayable with a split per subtask (parallelism was "
                        + parallelism + ")");
            }
            return new StreamSourceReader<>(materializer, (index, of, position) -> source, subtaskIndex, parallelism, null);
        };
    }

    /** A job output with the default capacity; see {@link StreamOutput}. */
    public static <T> StreamOutput<T> output(ClassicActorSystemProvider system, Delivery delivery) {
        return output(system, delivery, DEFAULT_OUTPUT_CAPACITY);
    }

    /** A job output that lets at most {@code capacity} released records wait for the stream. */
    public static <T> StreamOutput<T> output(ClassicActorSystemProvider system, Delivery delivery, int capacity) {
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(delivery, "delivery");
        return new StreamOutput<>(system, delivery, capacity);
    }
}
