package dev.snapflow.serialization.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The byte form of a {@link Buffer}: one byte with the {@link DataType}'s wire code (Flink's
 * ordinal), then the payload. A data payload is a sequence of records, each a 4-byte big-endian
 * length followed by that many bytes; an event payload is one serialized event.
 *
 * <p>Decoding checks the framing (a known, non-NONE type; every record length within the
 * payload; an event payload of at least a type tag) and reports violations as {@link IOException}.
 * The event inside an event buffer is decoded later, by {@link Buffer#toEvent}.
 */
public final class BufferSerializer {

    private BufferSerializer() {
    }

    public static byte[] toBytes(Buffer buffer) {
        byte[] payload = buffer.payloadArray();
        byte[] bytes = new byte[1 + payload.length];
        bytes[0] = (byte) buffer.dataType().ordinal();
        System.arraycopy(payload, 0, bytes, 1, payload.length);
        return bytes;
    }

    public static Buffer fromBytes(byte[] bytes) throws IOException {
        if (bytes.length < 1) {
            throw new IOException("Incomplete buffer: no data type byte");
        }
        int code = bytes[0] & 0xFF;
        DataType dataType = DataType.fromCode(code)
                .filter(type -> type != DataType.NONE)
                .orElseThrow(() -> new IOException("Corrupt buffer: unknown data type code " + code));
        byte[] payload = new byte[bytes.length - 1];
        System.arraycopy(bytes, 1, payload, 0, payload.length);
        Buffer buffer = Buffer.wrap(dataType, payload);
        validate(buffer);
        return buffer;
    }

    /** Checks the payload framing of {@code buffer} as described in the class comment. */
    static void validate(Buffer buffer) throws IOException {
        byte[] payload = buffer.payloadArray();
        if (buffer.isEvent()) {
            if (payload.length < 4) {
                throw new IOException("Incomplete event buffer: " + payload.length + " bytes, a type tag needs 4");
            }
            return;
        }
        ByteBuffer records = ByteBuffer.wrap(payload);
        int index = 0;
        while (records.hasRemaining()) {
            if (records.remaining() < 4) {
                throw new IOException("Corrupt data buffer: record " + index + " has an incomplete length ("
                        + records.remaining() + " of 4 bytes)");
            }
            int length = records.getInt();
            if (length < 0 || length > records.remaining()) {
                throw new IOException("Corrupt data buffer: record " + index + " claims " + length
                        + " bytes but " + records.remaining() + " remain");
            }
            records.position(records.position() + length);
            index++;
        }
    }
}
