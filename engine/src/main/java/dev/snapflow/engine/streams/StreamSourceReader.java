package dev.snapflow.engine.streams;

import akka.stream.Attributes;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.SinkQueueWithCancel;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.ReadStatus;
import dev.snapflow.engine.api.SourceReader;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.ToLongFunction;

/**
 * Reads one subtask's split of an Akka Streams source. The stream runs in its own materializer;
 * the subtask takes its elements in batches ({@code batch} gathers them while the subtask is busy,
 * up to {@link #MAX_BATCH}), so the stream is pulled only as fast as the subtask reads and holds
 * at most a couple of batches. Confined to the subtask's thread.
 */
final class StreamSourceReader<T> implements SourceReader<T> {

    static final int MAX_BATCH = 1024;

    private final Materializer materializer;
    private final ReplayableStream<T> stream;
    private final int subtaskIndex;
    private final int parallelism;
    /** Null for a source that cannot replay: its position stays 0. */
    private final ToLongFunction<T> positionAfter;
    private long position;
    private SinkQueueWithCancel<List<T>> queue;
    private CompletableFuture<Optional<List<T>>> pull;
    private List<T> batch = List.of();
    private int next;

    StreamSourceReader(Materializer materializer, ReplayableStream<T> stream, int subtaskIndex, int parallelism,
                       ToLongFunction<T> positionAfter) {
        this.materializer = materializer;
        this.stream = stream;
        this.subtaskIndex = subtaskIndex;
        this.parallelism = parallelism;
        this.positionAfter = positionAfter;
    }

    @Override
    public ReadStatus read(Collector<T> output, int maxRecords) throws Exception {
        if (queue == null) {
            queue = stream.from(subtaskIndex, parallelism, position)
                    .batch(MAX_BATCH, StreamSourceReader::firstOfBatch, StreamSourceReader::addToBatch)
                    .runWith(Sink.<List<T>>queue().withAttributes(Attributes.inputBuffer(1, 1)), materializer);
        }
        int emitted = 0;
        while (emitted < maxRecords) {
            if (next < batch.size()) {
                T element = batch.get(next++);
                if (positionAfter != null) {
                    position = positionAfter.applyAsLong(element);
                }
                output.collect(element);
                emitted++;
                continue;
            }
            if (pull == null) {
                pull = queue.pull().toCompletableFuture();
            }
            if (!pull.isDone()) {
                return emitted > 0 ? ReadStatus.MORE_AVAILABLE : ReadStatus.NOTHING_AVAILABLE;
            }
            Optional<List<T>> pulled = pulled();
            pull = null;
            if (pulled.isEmpty()) {
                return ReadStatus.END_OF_INPUT;
            }
            batch = pulled.get();
            next = 0;
        }
        return ReadStatus.MORE_AVAILABLE;
    }

    /** The pull in progress: the subtask reads again when the stream delivers. */
    @Override
    public Optional<CompletionStage<?>> whenAvailable() {
        return Optional.ofNullable(pull);
    }

    private Optional<List<T>> pulled() throws Exception {
        try {
            return pull.join();
        } catch (CompletionException e) {
            // The stream failed: fail the subtask with the stream's own error.
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static <T> List<T> firstOfBatch(T element) {
        List<T> batch = new ArrayList<>();
        batch.add(element);
        return batch;
    }

    private static <T> List<T> addToBatch(List<T> batch, T element) {
        batch.add(element);
        return batch;
    }

    @Override
    public long position() {
        return position;
    }

    /** Continues after {@code position}: the stream is made again from there at the next read. */
    @Override
    public void seek(long position) {
        if (positionAfter == null) {
            return;
        }
        close();
        this.position = position;
    }

    @Override
    public void close() {
        if (queue != null) {
            queue.cancel();
            queue = null;
        }
        pull = null;
        batch = List.of();
        next = 0;
    }
}
