package dev.snapflow.engine.storage;

import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The file format of one subtask's state: a header with a magic number, a version, the payload
 * length and the payload's CRC32C, then the payload (the number of operators, then each
 * operator's name as modified UTF-8 and its snapshot as length-prefixed bytes). Big-endian.
 * Reading checks everything and names the file in every error.
 */
final class SubtaskStateFormat {

    /** "SNPS": Snapflow state. */
    static final int MAGIC = 0x534E5053;
    static final int VERSION = 1;
    static final int HEADER_BYTES = 4 + 4 + 8 + 4;

    private SubtaskStateFormat() {
    }

    /** Encodes into one buffer: the header's length and checksum are filled in after the payload. */
    static byte[] encode(SubtaskState state) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(HEADER_BYTES + 256
                + (int) Math.min(Integer.MAX_VALUE - HEADER_BYTES - 256, state.sizeBytes()));
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(0);
        out.writeInt(0);
        out.writeInt(state.operators().size());
        for (String operator : state.operators()) {
            out.writeUTF(operator);
            state.writeOperatorState(operator, out);
        }
        byte[] file = out.toByteArray();
        long length = file.length - HEADER_BYTES;
        CRC32C crc = new CRC32C();
        crc.update(file, HEADER_BYTES, (int) length);
        ByteBuffer.wrap(file).putLong(8, length).putInt(16, (int) crc.getValue());
        return file;
    }

    static long checksumOf(byte[] file) {
        return ByteBuffer.wrap(file, 16, 4).getInt() & 0xFFFFFFFFL;
    }

    /** Decodes a state file; any damage is an IOException naming {@code fileName}. */
    static SubtaskState decode(byte[] file, String fileName) throws IOException {
        if (file.length < HEADER_BYTES) {
            throw new IOException("State file " + fileName + " is truncated: " + file.length + " bytes, the header needs " + HEADER_BYTES);
        }
        ByteBuffer in = ByteBuffer.wrap(file);
        int magic = in.getInt();
        if (magic != MAGIC) {
            throw new IOException("State file " + fileName + " is not a Snapflow state file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int version = in.getInt();
        if (version != VERSION) {
            throw new IOException("State file " + fileName + " has unsupported format version " + version);
        }
        long length = in.getLong();
        long expectedCrc = in.getInt() & 0xFFFFFFFFL;
        if (length != file.length - HEADER_BYTES) {
            throw new IOException("State file " + fileName + " is truncated or has trailing bytes: the header says "
                    + length + " payload bytes, the file has " + (file.length - HEADER_BYTES));
        }
        long actualCrc = crc32c(ByteBuffer.wrap(file, HEADER_BYTES, (int) length));
        if (actualCrc != expectedCrc) {
            throw new IOException("State file " + fileName + " is corrupted: CRC32C " + Long.toHexString(actualCrc)
                    + " does not match the recorded " + Long.toHexString(expectedCrc));
        }
        try {
            ByteBufferDataInput payload = new ByteBufferDataInput(ByteBuffer.wrap(file, HEADER_BYTES, (int) length).slice());
            Map<String, byte[]> states = new TreeMap<>();
            for (int count = payload.readInt(); count > 0; count--) {
                String operator = payload.readUTF();
                states.put(operator, payload.readByteArray(payload.readInt(), "the state of operator '" + operator + "'"));
            }
            return SubtaskState.of(states);
        } catch (EOFException e) {
            throw new IOException("State file " + fileName + " is malformed: " + e.getMessage(), e);
        }
    }

    static long crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    static long crc32c(ByteBuffer bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }
}
