package dev.snapflow.engine.connectors;

import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.ReadStatus;
import dev.snapflow.engine.api.SourceReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the lines of one byte range of a file: the lines whose first byte lies in
 * {@code [rangeStart, rangeEnd)}. A line that starts inside the range is read to its end even
 * past {@code rangeEnd}, and a line that started before the range belongs to the previous
 * reader. The position is the byte offset of the next line to emit.
 */
final class FileLinesReader implements SourceReader<String> {

    private static final int CHUNK = 64 * 1024;

    private final Path file;
    private final FileChannel channel;
    private final long rangeEnd;
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    /** Offset of the next line's first byte: the reader's position. */
    private long nextLineStart;
    /** Offset in the file of the next byte in {@link #chunk}. */
    private long chunkOffset;
    private boolean endOfFile;

    private FileLinesReader(Path file, FileChannel channel, long rangeEnd) {
        this.file = file;
        this.channel = channel;
        this.rangeEnd = rangeEnd;
    }

    static FileLinesReader open(Path file, int subtaskIndex, int parallelism) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            long rangeStart = Sources.slice(size, subtaskIndex, parallelism);
            long rangeEnd = Sources.slice(size, subtaskIndex + 1, parallelism);
            FileLinesReader reader = new FileLinesReader(file, channel, rangeEnd);
            reader.seek(reader.firstLineAtOrAfter(rangeStart));
            return reader;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The first offset {@code >= offset} where a line starts: offset itself if the byte before is a newline. */
    private long firstLineAtOrAfter(long offset) throws IOException {
        if (offset == 0) {
            return 0;
        }
        ByteBuffer one = ByteBuffer.allocate(CHUNK);
        long at = offset - 1;
        while (true) {
            one.clear();
            int read = channel.read(one, at);
            if (read <= 0) {
                return channel.size();
            }
            for (int i = 0; i < read; i++) {
                if (one.get(i) == '\n') {
                    return at + i + 1;
                }
            }
            at += read;
        }
    }

    @Override
    public ReadStatus read(Collector<String> output, int maxRecords) throws IOException {
        int emitted = 0;
        while (emitted < maxRecords) {
            if (nextLineStart >= rangeEnd) {
                return ReadStatus.END_OF_INPUT;
            }
            String next = readLine();
            if (next == null) {
                return ReadStatus.END_OF_INPUT;
            }
            output.collect(next);
            emitted++;
        }
        return nextLineStart >= rangeEnd ? ReadStatus.END_OF_INPUT : ReadStatus.MORE_AVAILABLE;
    }

    /** The line starting at {@link #nextLineStart}, or null at the end of the file. */
    private String readLine() throws IOException {
        line.reset();
        long consumed = 0;
        while (true) {
            if (!chunk.hasRemaining()) {
                if (endOfFile || !fill()) {
                    if (consumed == 0) {
                        return null;
                    }
                    nextLineStart += consumed;
                    return decode();
                }
            }
            byte b = chunk.get();
            consumed++;
            if (b == '\n') {
                nextLineStart += consumed;
                return decode();
            }
            line.write(b);
        }
    }

    private boolean fill() throws IOException {
        chunk.clear();
        int read = channel.read(chunk, chunkOffset);
        chunk.flip();
        if (read <= 0) {
            endOfFile = true;
            return false;
        }
        chunkOffset += read;
        return true;
    }

    private String decode() {
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    @Override
    public long position() {
        return nextLineStart;
    }

    @Override
    public void seek(long position) throws IOException {
        if (position < 0 || position > channel.size()) {
            throw new IllegalArgumentException("Position " + position + " is outside " + file + " (" + channel.size() + " bytes)");
        }
        nextLineStart = position;
        chunkOffset = position;
        chunk.clear().flip();
        endOfFile = false;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
