package dev.snapflow.serialization.akka;

import akka.actor.ExtendedActorSystem;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.SerializerWithStringManifest;
import akka.serialization.Serializers;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.Tuple2;
import dev.snapflow.serialization.record.Tuple3;

import java.io.IOException;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;

/**
 * Akka serialization for {@link Tuple2} and {@link Tuple3} records (for example in-flight data
 * of unaligned checkpoints): each field is written with the serializer Akka picks for its own
 * class (serializer id, manifest, bytes), so a {@code Long} field reads back as a {@code Long}.
 * Manifest {@code "2"} or {@code "3"}; big-endian.
 */
public final class TupleSerializer extends SerializerWithStringManifest {

    /** Registered as this serializer's identifier in {@code reference.conf}; Akka reserves 0 to 40. */
    public static final int IDENTIFIER = 7_301_002;

    private final ExtendedActorSystem system;
    /** Looked up lazily: the extension is being built while serializers are created. */
    private volatile Serialization serialization;

    public TupleSerializer(ExtendedActorSystem system) {
        this.system = system;
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof Tuple2<?, ?>) {
            return "2";
        }
        if (o instanceof Tuple3<?, ?, ?>) {
            return "3";
        }
        throw new IllegalArgumentException("Not a tuple: " + o.getClass().getName());
    }

    @Override
    public byte[] toBinary(Object o) {
        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        if (o instanceof Tuple2<?, ?> tuple) {
            writeField(tuple.f0(), out);
            writeField(tuple.f1(), out);
        } else if (o instanceof Tuple3<?, ?, ?> tuple) {
            writeField(tuple.f0(), out);
            writeField(tuple.f1(), out);
            writeField(tuple.f2(), out);
        } else {
            throw new IllegalArgumentException("Not a tuple: " + o.getClass().getName());
        }
        return out.toByteArray();
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(bytes));
        try {
            return switch (manifest) {
                case "2" -> Tuple2.of(readField(in), readField(in));
                case "3" -> Tuple3.of(readField(in), readField(in), readField(in));
                default -> throw new NotSerializableException("Unknown tuple manifest '" + manifest + "'");
            };
        } catch (IOException e) {
            NotSerializableException failure = new NotSerializableException("Tuple bytes are damaged: " + e.getMessage());
            failure.initCause(e);
            throw failure;
        }
    }

    private Serialization serialization() {
        if (serialization == null) {
            serialization = SerializationExtension.get(system);
        }
        return serialization;
    }

    private void writeField(Object field, ByteArrayDataOutput out) {
        Serializer serializer = serialization().findSerializerFor(field);
        byte[] bytes = serializer.toBinary(field);
        out.writeInt(serializer.identifier());
        out.writeUtf8(Serializers.manifestFor(serializer, field));
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private Object readField(ByteBufferDataInput in) throws IOException {
        int serializerId = in.readInt();
        String manifest = in.readUtf8("tuple field manifest");
        byte[] bytes = in.readByteArray(in.readInt(), "tuple field");
        try {
            return serialization().deserialize(bytes, serializerId, manifest).get();
        } catch (RuntimeException e) {
            throw new IOException("Tuple field cannot be read: " + e.getMessage(), e);
        }
    }
}
