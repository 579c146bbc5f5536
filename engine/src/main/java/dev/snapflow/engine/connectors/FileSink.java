package dev.snapflow.engine.connectors;

import dev.snapflow.engine.api.RuntimeContext;
import dev.snapflow.engine.api.Sink;
import dev.snapflow.engine.api.SinkWriter;
import dev.snapflow.engine.api.TwoPhaseCommitSinkWriter;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.RecordSerializer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A sink that writes records as lines of text into part files of a directory, exactly once
 * with checkpoints (a {@link TwoPhaseCommitSinkWriter}). Each transaction is one part file:
 * it is written as {@code .<part>.inprogress}, renamed to {@code .<part>.pending} (flushed to
 * disk) when a checkpoint snapshots the sink, and to its final name {@code <part>} when that
 * checkpoint completed. Readers see only final names: files starting with a dot are not output.
 * A transaction without records creates no file.
 *
 * <p>Part names are {@code part-<subtask>-<writer>-<n>}, where the writer id is random per
 * subtask start, so restarts and rescaled jobs never reuse a name. In-progress files of a
 * subtask that died after its last completed checkpoint stay behind as hidden files (as with
 * Flink's file sink); they are never renamed.
 */
public final class FileSink {

    private FileSink() {
    }

    /** Writes each record as {@code String.valueOf(record)} and a newline, UTF-8, into part files in {@code directory}. */
    public static <T> Sink<T> lines(Path directory) {
        return lines(directory, String::valueOf);
    }

    /** Writes each record as {@code format.apply(record)} and a newline, UTF-8, into part files in {@code directory}. */
    public static <T> Sink<T> lines(Path directory, Function<? super T, String> format) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(format, "format");
        return (RuntimeContext context) -> {
            Files.createDirectories(directory);
            return new LineWriter<>(directory, format, context.subtaskIndex());
        };
    }

    /** The lines of every committed part file in {@code directory}, in part name order; hidden files are skipped. */
    public static List<String> committedLines(Path directory) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Path part : committedParts(directory)) {
            lines.addAll(Files.readAllLines(part, StandardCharsets.UTF_8));
        }
        return lines;
    }

    /** The committed part files in {@code directory}, by name. */
    public static List<Path> committedParts(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> !file.getFileName().toString().startsWith(".") && Files.isRegularFile(file))
                    .sorted().toList();
        }
    }

    /**
     * One part file. {@code lines} is what was written into it until it was pre-committed; a
     * transaction with no lines has no file.
     */
    static final class Part {
        /**
         * The directory the part was written into, absolute: kept in the checkpoint, so that a job
         * resumed with another output directory still commits the parts it restored where they
         * are (as Flink's file sink keeps full paths).
         */
        final Path directory;
        final String name;
        long lines;
        BufferedWriter out;
        FileChannel channel;

        Part(Path directory, String name, long lines) {
            this.directory = directory;
            this.name = name;
            this.lines = lines;
        }
    }

    static final class LineWriter<T> extends TwoPhaseCommitSinkWriter<T, Part> {

        /** Marks the part layout with a directory; a negative number, which no string length of the older layout is. */
        private static final int PART_FORMAT = -2;

        /** A part in a checkpoint: a format mark, its directory (absolute), its file name, its line count. */
        private static final RecordSerializer<Part> PARTS = new RecordSerializer<>() {
            @Override
            public void serialize(Part part, ByteArrayDataOutput out) throws IOException {
                out.writeInt(PART_FORMAT);
                out.writeUtf8(part.directory.toString());
                out.writeUtf8(part.name);
                out.writeLong(part.lines);
            }

            @Override
            public Part deserialize(ByteBufferDataInput in) throws IOException {
                int format = in.readInt();
                if (format != PART_FORMAT) {
                    throw new IOException("A part file of a file sink in a format this Snapflow does not read (" + format
                            + "): it was written by an older Snapflow, which kept no directory, or is damaged");
                }
                String directory = in.readUtf8("part file directory");
                Path path;
                try {
                    path = Path.of(directory);
                } catch (java.nio.file.InvalidPathException e) {
                    throw new IOException("Not a directory of a file sink: '" + directory + "'", e);
                }
                if (!path.isAbsolute()) {
                    throw new IOException("Not a directory of a file sink: '" + directory + "' is not absolute");
                }
                String name = in.readUtf8("part file name");
                if (!name.startsWith("part-") || name.contains("/") || name.contains("\\")) {
                    throw new IOException("Not a part file name of a file sink: '" + name + "'");
                }
                return new Part(path, name, in.readLong());
            }
        };

        private final Path directory;
        private final Function<? super T, String> format;
        private final String prefix;
        private long nextPart;

        LineWriter(Path directory, Function<? super T, String> format, int subtaskIndex) {
            this.directory = directory.toAbsolutePath();
            this.format = format;
            this.prefix = "part-" + subtaskIndex + "-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        }

        @Override
        protected Part beginTransaction() {
            return new Part(directory, prefix + nextPart++, 0);
        }

        @Override
        protected void write(Part part, T record) throws IOException {
            if (part.out == null) {
                part.channel = FileChannel.open(inProgress(part), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                part.out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(part.channel), StandardCharsets.UTF_8),
                        64 * 1024);
            }
            part.out.write(format.apply(record));
            part.out.write('\n');
            part.lines++;
        }

        @Override
        protected void preCommit(Part part) throws IOException {
            if (part.out == null) {
                return;
            }
            part.out.flush();
            part.channel.force(true);
            part.out.close();
            part.out = null;
            part.channel = null;
            move(inProgress(part), pending(part));
        }

        @Override
        protected void commit(Part part) throws IOException {
            if (part.lines == 0) {
                return;
            }
            try {
                move(pending(part), part.directory.resolve(part.name));
            } catch (NoSuchFileException e) {
                if (!Files.exists(part.directory.resolve(part.name))) {
                    throw new IOException("Part file " + part.name + " of a completed checkpoint is neither pending ("
                            + pending(part) + ") nor committed: it was deleted", e);
                }
                // Committed before: a restore commits again what its checkpoint held as pending.
            }
        }

        @Override
        protected void abort(Part part) throws IOException {
            if (part.out != null) {
                part.out.close();
                part.out = null;
                part.channel = null;
            }
            Files.deleteIfExists(inProgress(part));
            Files.deleteIfExists(pending(part));
        }

        @Override
        protected RecordSerializer<Part> transactionSerializer() {
            return PARTS;
        }

        private static Path inProgress(Part part) {
            return part.directory.resolve("." + part.name + ".inprogress");
        }

        private static Path pending(Part part) {
            return part.directory.resolve("." + part.name + ".pending");
        }

        private static void move(Path from, Path to) throws IOException {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to);
            }
        }
    }
}
