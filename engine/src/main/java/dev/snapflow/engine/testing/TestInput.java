package dev.snapflow.engine.testing;

import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.ReadStatus;
import dev.snapflow.engine.api.Source;
import dev.snapflow.engine.api.SourceReader;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A job's input fed by the test: elements added with {@link #add} are read in order by the
 * source's single subtask, which waits for more until {@link #end()}. Every element is kept, and
 * the source's position is the number read, so a job restarted from a checkpoint reads the
 * elements after it again: the input replays like a log. Thread-safe.
 *
 * @param <T> the element type
 */
public final class TestInput<T> {

    /** Guarded by this. */
    private final List<T> elements = new ArrayList<>();
    private boolean ended;
    /** Completed, and replaced, whenever elements are added or the input ends: readers wait on it. */
    private CompletableFuture<Void> changed = new CompletableFuture<>();

    TestInput() {
    }

    @SafeVarargs
    public final synchronized TestInput<T> add(T... more) {
        if (ended) {
            throw new IllegalStateException("The input has ended");
        }
        elements.addAll(List.of(more));
        signalChange();
        return this;
    }

    private void signalChange() {
        CompletableFuture<Void> waiting = changed;
        changed = new CompletableFuture<>();
        waiting.complete(null);
    }

    /** Done at once if there is something to read from {@code position} on or the input ended; otherwise the next change. */
    private synchronized CompletableFuture<Void> changeAfter(int position) {
        return position < elements.size() || ended ? CompletableFuture.completedFuture(null) : changed;
    }

    /** No more elements: the source's subtask finishes once it read those added. */
    public synchronized void end() {
        ended = true;
        signalChange();
    }

    public synchronized int size() {
        return elements.size();
    }


    /** The source to give the job; its operator must have parallelism 1. */
    public Source<T> source() {
        return (subtaskIndex, parallelism) -> {
            if (parallelism != 1) {
                throw new IllegalArgumentException("A test input is read by one subtask: give its source parallelism(1), was "
                        + parallelism);
            }
            return new Reader();
        };
    }

    /** Elements {@code from..from+maxRecords-1} that were added, and whether the input ended after them. */
    private synchronized Chunk<T> chunk(int from, int maxRecords) {
        int until = Math.min(elements.size(), from + maxRecords);
        return new Chunk<>(new ArrayList<>(elements.subList(from, until)), ended && until == elements.size());
    }

    private record Chunk<T>(List<T> elements, boolean last) {
    }

    private final class Reader implements SourceReader<T> {
        private int position;

        /** Emits outside the input's lock, so that the test can add while the job processes. */
        @Override
        public ReadStatus read(Collector<T> output, int maxRecords) {
            Chunk<T> chunk = chunk(position, maxRecords);
            for (T element : chunk.elements()) {
                position++;
                output.collect(element);
            }
            if (chunk.last()) {
                return ReadStatus.END_OF_INPUT;
            }
            return chunk.elements().size() == maxRecords ? ReadStatus.MORE_AVAILABLE : ReadStatus.NOTHING_AVAILABLE;
        }

        /** The subtask reads again as soon as the test adds or ends. */
        @Override
        public Optional<CompletionStage<?>> whenAvailable() {
            return Optional.of(changeAfter(position));
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void seek(long position) {
            if (position < 0 || position > size()) {
                throw new IllegalArgumentException("Position " + position + " is outside [0, " + size() + "]");
            }
            this.position = (int) position;
        }
    }
}
