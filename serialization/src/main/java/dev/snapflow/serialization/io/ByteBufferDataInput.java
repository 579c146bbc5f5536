package dev.snapflow.serialization.io;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A {@link DataInput} over the readable bytes of a {@link ByteBuffer} that never reads past the
 * buffer's limit: every read that would need more bytes than remain throws {@link EOFException},
 * and no read allocates more than the bytes that are really there.
 *
 * <p>Reads advance the buffer's position. Multi-byte values follow the buffer's byte order, which
 * callers set to big-endian (the wire order of every Snapflow format). It is also an
 * {@link InputStream}, so that stream-based decoders such as Jackson can read a bounded slice.
 * Not thread-safe; confined to the decoding thread.
 */
public final class ByteBufferDataInput extends InputStream implements DataInput {

    private final ByteBuffer buffer;

    public ByteBufferDataInput(ByteBuffer buffer) {
        if (buffer == null) {
            throw new NullPointerException("buffer");
        }
        this.buffer = buffer;
    }

    /** The number of bytes left before the limit. */
    public int remaining() {
        return buffer.remaining();
    }

    /** The underlying buffer, positioned at the next unread byte. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /**
     * Throws {@link EOFException} naming {@code what} unless at least {@code count} bytes remain.
     * Decoders call this before they allocate anything sized by a length they have just read.
     */
    public void require(long count, String what) throws EOFException {
        if (count < 0) {
            throw new EOFException("Negative length " + count + " for " + what);
        }
        if (count > buffer.remaining()) {
            throw new EOFException(
                    what + " needs " + count + " bytes but only " + buffer.remaining() + " remain");
        }
    }

    /** Reads {@code length} bytes into a new array, after checking that they are there. */
    public byte[] readByteArray(int length, String what) throws EOFException {
        require(length, what);
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    /** Reads a 4-byte length followed by that many UTF-8 bytes. */
    public String readUtf8(String what) throws IOException {
        int length = readInt();
        require(length, what);
        if (!buffer.hasArray()) {
            return new String(readByteArray(length, what), StandardCharsets.UTF_8);
        }
        String value = new String(buffer.array(), buffer.arrayOffset() + buffer.position(), length,
                StandardCharsets.UTF_8);
        buffer.position(buffer.position() + length);
        return value;
    }

    @Override
    public void readFully(byte[] b) throws IOException {
        readFully(b, 0, b.length);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
        require(len, "readFully");
        buffer.get(b, off, len);
    }

    @Override
    public int skipBytes(int n) {
        int skipped = Math.max(0, Math.min(n, buffer.remaining()));
        buffer.position(buffer.position() + skipped);
        return skipped;
    }

    @Override
    public boolean readBoolean() throws IOException {
        return readByte() != 0;
    }

    @Override
    public byte readByte() throws IOException {
        require(1, "a byte");
        return buffer.get();
    }

    @Override
    public int readUnsignedByte() throws IOException {
        return readByte() & 0xFF;
    }

    @Override
    public short readShort() throws IOException {
        require(2, "a short");
        return buffer.getShort();
    }

    @Override
    public int readUnsignedShort() throws IOException {
        return readShort() & 0xFFFF;
    }

    @Override
    public char readChar() throws IOException {
        require(2, "a char");
        return buffer.getChar();
    }

    @Override
    public int readInt() throws IOException {
        require(4, "an int");
        return buffer.getInt();
    }

    @Override
    public long readLong() throws IOException {
        require(8, "a long");
        return buffer.getLong();
    }

    @Override
    public float readFloat() throws IOException {
        require(4, "a float");
        return buffer.getFloat();
    }

    @Override
    public double readDouble() throws IOException {
        require(8, "a double");
        return buffer.getDouble();
    }

    /** Reads up to a line terminator, with the byte-per-char semantics of {@link DataInput#readLine()}. */
    @Override
    public String readLine() {
        if (!buffer.hasRemaining()) {
            return null;
        }
        StringBuilder line = new StringBuilder();
        while (buffer.hasRemaining()) {
            char c = (char) (buffer.get() & 0xFF);
            if (c == '\n') {
                break;
            }
            if (c == '\r') {
                if (buffer.hasRemaining() && buffer.get(buffer.position()) == '\n') {
                    buffer.get();
                }
                break;
            }
            line.append(c);
        }
        return line.toString();
    }

    /**
     * Reads Java's modified UTF-8 ({@link DataInput#readUTF()}): checks the 2-byte length against
     * the remaining bytes before the JDK decoder allocates for it.
     */
    @Override
    public String readUTF() throws IOException {
        require(2, "a string length");
        int length = buffer.getShort(buffer.position()) & 0xFFFF;
        require(2L + length, "a modified UTF-8 string");
        return DataInputStream.readUTF(this);
    }

    @Override
    public int read() {
        return buffer.hasRemaining() ? buffer.get() & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (!buffer.hasRemaining()) {
            return -1;
        }
        int n = Math.min(len, buffer.remaining());
        buffer.get(b, off, n);
        return n;
    }

    @Override
    public int available() {
        return buffer.remaining();
    }

    @Override
    public long skip(long n) {
        return skipBytes((int) Math.min(Integer.MAX_VALUE, Math.max(0, n)));
    }
}
