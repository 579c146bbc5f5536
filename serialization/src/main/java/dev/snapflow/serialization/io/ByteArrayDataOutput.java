package dev.snapflow.serialization.io;

import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable, big-endian {@link DataOutput} over a byte array, for the serializers' hot path.
 *
 * <p>Unlike a {@code DataOutputStream} over a {@code ByteArrayOutputStream} it takes no lock and
 * writes multi-byte values with one array store each. It can be {@link #reset() reset} and reused,
 * and a length slot written earlier can be patched with {@link #writeIntAt(int, int)}, which is how
 * records get their length prefix without a second copy. It is also an {@link OutputStream} so that
 * stream-based encoders such as Jackson can write into it. Not thread-safe.
 */
public final class ByteArrayDataOutput extends OutputStream implements DataOutput {

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Largest array the JVM reliably allocates. */
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    private byte[] bytes;
    /** Number of bytes written so far; the next write goes to this index. */
    private int position;

    public ByteArrayDataOutput(int initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initialCapacity must be >= 0, was " + initialCapacity);
        }
        this.bytes = new byte[initialCapacity];
    }

    /** Number of bytes written since creation or the last {@link #reset()}. */
    public int position() {
        return position;
    }

    /** Forgets what was written; keeps the array for reuse. */
    public void reset() {
        position = 0;
    }

    /** Drops everything written after the first {@code newPosition} bytes. */
    public void truncate(int newPosition) {
        if (newPosition < 0 || newPosition > position) {
            throw new IndexOutOfBoundsException("Cannot truncate " + position + " written bytes to " + newPosition);
        }
        position = newPosition;
    }

    /** A copy of the bytes written, exactly {@link #position()} long. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, position);
    }

    /** Writes the bytes written so far to {@code target}, without copying them first. */
    public void writeTo(OutputStream target) throws IOException {
        target.write(bytes, 0, position);
    }

    /** Overwrites the 4 bytes at {@code index}, which must already have been written. */
    public void writeIntAt(int index, int value) {
        if (index < 0 || index > position - 4) {
            throw new IndexOutOfBoundsException("int slot at " + index + " is outside the " + position + " written bytes");
        }
        INT.set(bytes, index, value);
    }

    /** Makes room for {@code count} more bytes. */
    public void ensureCapacity(int count) {
        long needed = (long) position + count;
        if (needed <= bytes.length) {
            return;
        }
        if (needed > MAX_CAPACITY) {
            throw new OutOfMemoryError("Serialized data would exceed " + MAX_CAPACITY + " bytes");
        }
        long grown = Math.max(needed, Math.max(16, (long) bytes.length * 2));
        bytes = Arrays.copyOf(bytes, (int) Math.min(grown, MAX_CAPACITY));
    }

    @Override
    public void write(int b) {
        ensureCapacity(1);
        bytes[position++] = (byte) b;
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensureCapacity(len);
        System.arraycopy(b, off, bytes, position, len);
        position += len;
    }

    @Override
    public void writeBoolean(boolean v) {
        write(v ? 1 : 0);
    }

    @Override
    public void writeByte(int v) {
        write(v);
    }

    @Override
    public void writeShort(int v) {
        ensureCapacity(2);
        SHORT.set(bytes, position, (short) v);
        position += 2;
    }

    @Override
    public void writeChar(int v) {
        writeShort(v);
    }

    @Override
    public void writeInt(int v) {
        ensureCapacity(4);
        INT.set(bytes, position, v);
        position += 4;
    }

    @Override
    public void writeLong(long v) {
        ensureCapacity(8);
        LONG.set(bytes, position, v);
        position += 8;
    }

    @Override
    public void writeFloat(float v) {
        writeInt(Float.floatToIntBits(v));
    }

    @Override
    public void writeDouble(double v) {
        writeLong(Double.doubleToLongBits(v));
    }

    /** Writes the low byte of each char, as {@link DataOutput#writeBytes(String)} specifies. */
    @Override
    public void writeBytes(String s) {
        int length = s.length();
        ensureCapacity(length);
        for (int i = 0; i < length; i++) {
            bytes[position++] = (byte) s.charAt(i);
        }
    }

    @Override
    public void writeChars(String s) {
        int length = s.length();
        for (int i = 0; i < length; i++) {
            writeChar(s.charAt(i));
        }
    }

    /** Java's modified UTF-8 with a 2-byte length, exactly as {@link DataOutputStream#writeUTF}. */
    @Override
    public void writeUTF(String s) throws IOException {
        new DataOutputStream(this).writeUTF(s);
    }

    /** Writes a 4-byte length followed by the string's UTF-8 bytes (no 64 KiB limit). */
    public void writeUtf8(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeInt(utf8.length);
        write(utf8, 0, utf8.length);
    }
}
