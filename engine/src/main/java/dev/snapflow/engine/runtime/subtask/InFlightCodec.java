package dev.snapflow.engine.runtime.subtask;

import akka.serialization.Serialization;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.Tuple2;
import dev.snapflow.serialization.record.Tuple3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the records of in-flight data. The common record types (numbers, strings, booleans, byte
 * arrays, and {@code Tuple2}/{@code Tuple3} of them) are written directly behind a one-byte tag;
 * any other value goes through the actor system's Akka serialization (serializer id, manifest,
 * bytes), which knows every type bound to a serializer in the configuration. Format (big-endian):
 * the number of records, then each record as a tagged value. Thread-safe.
 */
final class InFlightCodec {

    private static final byte AKKA = 0;
    private static final byte LONG = 1;
    private static final byte INT = 2;
    private static final byte STRING = 3;
    private static final byte DOUBLE = 4;
    private static final byte BYTES = 5;
    private static final byte TUPLE2 = 6;
    private static final byte TUPLE3 = 7;
    private static final byte BOOLEAN = 8;

    private final Serialization serialization;

    InFlightCodec(Serialization serialization) {
        this.serialization = serialization;
    }

    byte[] encode(List<RecordBatch> batches) throws IOException {
        int count = 0;
        for (RecordBatch batch : batches) {
            count += batch.size();
        }
        ByteArrayDataOutput out = new ByteArrayDataOutput(64 + count * 24);
        out.writeInt(count);
        for (RecordBatch batch : batches) {
            Object[] records = batch.records();
            for (int i = 0; i < batch.size(); i++) {
                write(records[i], out);
            }
        }
        return out.toByteArray();
    }

    private void write(Object value, ByteArrayDataOutput out) throws IOException {
        if (value instanceof Long number) {
            out.writeByte(LONG);
            out.writeLong(number);
        } else if (value instanceof Integer number) {
            out.writeByte(INT);
            out.writeInt(number);
        } else if (value instanceof String text) {
            out.writeByte(STRING);
            out.writeUtf8(text);
        } else if (value instanceof Double number) {
            out.writeByte(DOUBLE);
            out.writeDouble(number);
        } else if (value instanceof Boolean flag) {
            out.writeByte(BOOLEAN);
            out.writeBoolean(flag);
        } else if (value instanceof byte[] bytes) {
            out.writeByte(BYTES);
            out.writeInt(bytes.length);
            out.write(bytes);
        } else if (value instanceof Tuple2<?, ?> tuple) {
            out.writeByte(TUPLE2);
            write(tuple.f0(), out);
            write(tuple.f1(), out);
        } else if (value instanceof Tuple3<?, ?, ?> tuple) {
            out.writeByte(TUPLE3);
            write(tuple.f0(), out);
            write(tuple.f1(), out);
            write(tuple.f2(), out);
        } else {
            byte[] bytes;
            Serializer serializer;
            try {
                serializer = serialization.findSerializerFor(value);
                bytes = serializer.toBinary(value);
            } catch (Exception e) { // Akka throws NotSerializableException undeclared
                throw new IOException("A record of " + value.getClass().getName() + " in flight on a network edge cannot be"
                        + " written into an unaligned checkpoint: bind an Akka serializer to its class (" + e.getMessage() + ")", e);
            }
            out.writeByte(AKKA);
            out.writeInt(serializer.identifier());
            out.writeUtf8(Serializers.manifestFor(serializer, value));
            out.writeInt(bytes.length);
            out.write(bytes);
        }
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
            records.add(read(in, what, i));
        }
        return records;
    }

    private Object read(ByteBufferDataInput in, String what, int record) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case LONG:
                return in.readLong();
            case INT:
                return in.readInt();
            case STRING:
                return in.readUtf8(what);
            case DOUBLE:
                return in.readDouble();
            case BOOLEAN:
                return in.readBoolean();
            case BYTES:
                return in.readByteArray(in.readInt(), what);
            case TUPLE2:
                return Tuple2.of(read(in, what, record), read(in, what, record));
            case TUPLE3:
                return Tuple3.of(read(in, what, record), read(in, what, record), read(in, what, record));
            case AKKA:
                int serializerId = in.readInt();
                String manifest = in.readUtf8(what + " manifest");
                byte[] value = in.readByteArray(in.readInt(), what + " record");
                try {
                    return serialization.deserialize(value, serializerId, manifest).get();
                } catch (Exception e) {
                    throw new IOException("Record " + record + " of in-flight data " + what + " cannot be read: " + e.getMessage(), e);
                }
            default:
                throw new IOException("Record " + record + " of in-flight data " + what + " has unknown type tag " + tag);
        }
    }
}
