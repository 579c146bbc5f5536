package dev.snapflow.engine.connectors;

import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.ReadStatus;
import dev.snapflow.engine.api.Source;
import dev.snapflow.engine.api.SourceReader;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;

/** The built-in sources. */
public final class Sources {

    private Sources() {
    }

    /**
     * The numbers {@code from..to}, both included. Subtask i of p reads the i-th of p contiguous
     * slices; its position is the count of numbers it has emitted.
     */
    public static Source<Long> sequence(long from, long to) {
        if (to < from) {
            throw new IllegalArgumentException("A sequence needs from <= to, was " + from + ".." + to);
        }
        if (to - from == Long.MAX_VALUE) {
            throw new IllegalArgumentException("A sequence can hold at most Long.MAX_VALUE numbers");
        }
        return generator(to - from + 1, i -> from + i);
    }

    /**
     * {@code count} records made by {@code generator} from their index {@code 0..count-1}; like
     * {@link #sequence}, subtasks read contiguous slices. The generator is shared by all subtasks:
     * keep it a pure function of the index, which is what makes the source replayable.
     */
    public static <T> Source<T> generator(long count, LongFunction<T> generator) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, was " + count);
        }
        Objects.requireNonNull(generator, "generator");
        return (subtaskIndex, parallelism) -> new IndexedReader<>(
                slice(count, subtaskIndex, parallelism), slice(count, subtaskIndex + 1, parallelism), generator);
    }

    /** The elements of {@code elements}, copied now; subtasks read contiguous slices in order. */
    public static <T> Source<T> collection(List<T> elements) {
        List<T> copy = List.copyOf(elements);
        return (subtaskIndex, parallelism) -> new IndexedReader<>(
                slice(copy.size(), subtaskIndex, parallelism), slice(copy.size(), subtaskIndex + 1, parallelism),
                index -> copy.get((int) index));
    }

    /**
     * The lines of a UTF-8 text file, without line terminators ({@code \n} or {@code \r\n}).
     * Subtask i of p reads the lines that start in the i-th of p byte ranges; its position is the
     * byte offset of its next line.
     */
    public static Source<String> fileLines(Path file) {
        Objects.requireNonNull(file, "file");
        return (subtaskIndex, parallelism) -> FileLinesReader.open(file, subtaskIndex, parallelism);
    }

    /** Start of slice {@code index} of {@code count} items cut into {@code parts} near-equal parts. */
    static long slice(long count, int index, int parts) {
        // floor(count * index / parts) without overflow: count = q * parts + r.
        return count / parts * index + count % parts * index / parts;
    }

    /** Reads items {@code start..end-1} of an indexable input; the position is items emitted. */
    private static final class IndexedReader<T> implements SourceReader<T> {
        private final long start;
        private final long end;
        private final LongFunction<T> item;
        private long next;

        IndexedReader(long start, long end, LongFunction<T> item) {
            this.start = start;
            this.end = end;
            this.item = item;
            this.next = start;
        }

        @Override
        public ReadStatus read(Collector<T> output, int maxRecords) {
            long stop = Math.min(end, next + maxRecords);
            while (next < stop) {
                output.collect(item.apply(next++));
            }
            return next == end ? ReadStatus.END_OF_INPUT : ReadStatus.MORE_AVAILABLE;
        }

        @Override
        public long position() {
            return next - start;
        }

        @Override
        public void seek(long position) {
            if (position < 0 || position > end - start) {
                throw new IllegalArgumentException("Position " + position + " is outside [0, " + (end - start) + "]");
            }
            next = start + position;
        }
    }
}
