package dev.snapflow.engine.runtime.channel;

import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.ValueCodec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the records of in-flight data as they are captured, so that a consumer changing a record
 * afterwards (its own business once the record is delivered) cannot change the checkpoint, and
 * nothing is read by another thread later (Flink copies records for the same reason unless object
 * reuse is on).
 *
 * <p>Format: a sequence of chunks, one per captured batch, each the number of records
 * (big-endian int) and then the records as one {@link ValueCodec} stream, so every record type a
 * job may send over a network edge is written with no configuration and reads back as the same
 * type. Chunks of one channel are joined by concatenation. Thread-safe.
 */
public final class InFlightCodec {

    private final ValueCodec codec;

    public InFlightCodec(ValueCodec codec) {
        this.codec = codec;
    }

    /** The codec it writes each record with, for whatever else must write values the same way (keys). */
    public ValueCodec valueCodec() {
        return codec;
    }

    /** One batch as a chunk. */
    public byte[] encode(RecordBatch batch) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(16 + batch.size() * 12);
        write(batch, out);
        return out.toByteArray();
    }

    /** Batches as consecutive chunks. */
    public byte[] encode(List<RecordBatch> batches) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        for (RecordBatch batch : batches) {
            write(batch, out);
        }
        return out.toByteArray();
    }

    private void write(RecordBatch batch, ByteArrayDataOutput out) throws IOException {
        out.writeInt(batch.size());
        ValueCodec.Writer writer = codec.writer(out);
        Object[] records = batch.records();
        for (int i = 0; i < batch.size(); i++) {
            try {
                writer.write(records[i]);
            } catch (IOException e) {
                throw new IOException("A record in flight on a network edge cannot be written into an unaligned checkpoint: "
                        + e.getMessage(), e);
            }
        }
    }

    /**
     * {@code records} as consecutive chunks split into parts of at most {@code maxPartBytes}
     * bytes each, for messages with a size limit.
     *
     * @throws IOException if a record cannot be written, or alone exceeds {@code maxPartBytes}
     */
    public List<byte[]> encodeInParts(List<Object> records, int maxPartBytes) throws IOException {
        List<byte[]> parts = new ArrayList<>();
        ByteArrayDataOutput part = new ByteArrayDataOutput(Math.min(maxPartBytes, 64 * 1024));
        int from = 0;
        int chunkRecords = 256;
        while (from < records.size()) {
            int to = Math.min(records.size(), from + chunkRecords);
            byte[] chunk = encode(new RecordBatch(records.subList(from, to).toArray(), to - from));
            if (chunk.length > maxPartBytes) {
                if (to - from == 1) {
                    throw new IOException("A record of " + chunk.length + " bytes (a " + records.get(from).getClass().getName()
                            + ") does not fit one message of at most " + maxPartBytes + " bytes; raise"
                            + " akka.remote.artery.advanced.maximum-frame-size");
                }
                chunkRecords = Math.max(1, chunkRecords / 4);
                continue;
            }
            if (part.position() > 0 && part.position() + chunk.length > maxPartBytes) {
                parts.add(part.toByteArray());
                part.reset();
            }
            part.write(chunk);
            from = to;
        }
        if (part.position() > 0) {
            parts.add(part.toByteArray());
        }
        return parts;
    }

    /** The chunks one after the other: the bytes of one channel's in-flight data. */
    public static byte[] join(List<byte[]> chunks) {
        int size = 0;
        for (byte[] chunk : chunks) {
            size += chunk.length;
        }
        byte[] joined = new byte[size];
        int at = 0;
        for (byte[] chunk : chunks) {
            System.arraycopy(chunk, 0, joined, at, chunk.length);
            at += chunk.length;
        }
        return joined;
    }

    /** @param what names the data in errors, e.g. the state part */
    public List<Object> decode(byte[] bytes, String what) throws IOException {
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(bytes));
        List<Object> records = new ArrayList<>();
        while (in.remaining() > 0) {
            int count = in.readInt();
            if (count < 0 || count > in.remaining()) {
                throw new IOException("In-flight data " + what + " claims " + count + " records in " + in.remaining() + " bytes");
            }
            ValueCodec.Reader reader = codec.reader(in, "in-flight data " + what);
            for (int i = 0; i < count; i++) {
                records.add(reader.read());
            }
        }
        return records;
    }
}
