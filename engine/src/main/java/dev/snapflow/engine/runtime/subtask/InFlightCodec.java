package dev.snapflow.engine.runtime.subtask;

import akka.serialization.Serialization;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the records of in-flight data with the actor system's Akka serialization, which knows
 * strings, numbers and byte arrays out of the box and any type bound to a serializer (for example
 * Jackson) in the configuration. Format (big-endian): the number of records, then per record the
 * serializer id, its manifest (UTF-8, length-prefixed) and the length-prefixed bytes. Thread-safe.
 */
final class InFlightCodec {

    private final Serialization serialization;

    InFlightCodec(Serialization serialization) {
        this.serialization = serialization;
    }

    byte[] encode(List<RecordBatch> batches) throws IOException {
        int count = 0;
        for (RecordBatch batch : batches) {
            count += batch.size();
        }
        ByteArrayDataOutput out = new ByteArrayDataOutput(64 + count * 16);
        out.writeInt(count);
        for (RecordBatch batch : batches) {
            Object[] records = batch.records();
            for (int i = 0; i < batch.size(); i++) {
                Object record = records[i];
                byte[] bytes;
                Serializer serializer;
                try {
                    serializer = serialization.findSerializerFor(record);
                    bytes = serializer.toBinary(record);
                } catch (RuntimeException e) {
                    throw new IOException("A record of " + record.getClass().getName() + " in flight on a network edge cannot be"
                            + " written into an unaligned checkpoint: bind an Akka serializer to its class (" + e.getMessage() + ")", e);
                }
                out.writeInt(serializer.identifier());
                out.writeUtf8(Serializers.manifestFor(serializer, record));
                out.writeInt(bytes.length);
                out.write(bytes);
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
        for (int i = 0; i < count; i++) {
            int serializerId = in.readInt();
            String manifest = in.readUtf8(what + " manifest");
            int length = in.readInt();
            byte[] record = in.readByteArray(length, what + " record");
            try {
                records.add(serialization.deserialize(record, serializerId, manifest).get());
            } catch (Exception e) {
                throw new IOException("Record " + i + " of in-flight data " + what + " cannot be read: " + e.getMessage(), e);
            }
        }
        return records;
    }
}
