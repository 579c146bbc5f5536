package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.ValueCodec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the records of in-flight data: the number of records (big-endian int), then the records
 * as one {@link ValueCodec} stream, so every record type a job may send over a network edge is
 * written with no configuration and reads back as the same type. Thread-safe.
 */
final class InFlightCodec {

    private final ValueCodec codec;

    InFlightCodec(ValueCodec codec) {
        this.codec = codec;
    }

    byte[] encode(List<RecordBatch> batches) throws IOException {
        int count = 0;
        for (RecordBatch batch : batches) {
            count += batch.size();
        }
        ByteArrayDataOutput out = new ByteArrayDataOutput(64 + count * 24);
        out.writeInt(count);
        ValueCodec.Writer writer = codec.writer(out);
        for (RecordBatch batch : batches) {
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
        return out.toByteArray();
    }

    /** @param what names the data in errors, e.g. the state part */
    List<Object> decode(byte[] bytes, String what) throws IOException {
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(bytes));
        int count = in.readInt();
        if (count < 0 || count > bytes.length) {
            throw new IOException("In-flight data " + what + " claims " + count + " records in " + bytes.length + " bytes");
        }
        List<Object> records = new ArrayList<>(count);
        ValueCodec.Reader reader = codec.reader(in, "in-flight data " + what);
        for (int i = 0; i < count; i++) {
            records.add(reader.read());
        }
        return records;
    }
}
