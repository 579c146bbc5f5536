package dev.snapflow.serialization.record;

import akka.actor.typed.ActorSystem;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;

import java.io.IOException;
import java.util.Optional;

/**
 * The built-in record serializers. Fixed-size types are written big-endian without a length;
 * strings and byte arrays carry a 4-byte length; tuples are their fields in order.
 */
public final class RecordSerializers {

    /** The Akka Jackson binding whose object mapper {@link #jackson(Class, ActorSystem)} reuses. */
    public static final String JACKSON_CBOR_BINDING = "jackson-cbor";

    private static final RecordSerializer<Long> LONGS = new RecordSerializer<>() {
        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public void serialize(Long record, ByteArrayDataOutput out) {
            out.writeLong(record);
        }

        @Override
        public Long deserialize(ByteBufferDataInput in) throws IOException {
            return in.readLong();
        }
    };

    private static final RecordSerializer<Integer> INTS = new RecordSerializer<>() {
        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public void serialize(Integer record, ByteArrayDataOutput out) {
            out.writeInt(record);
        }

        @Override
        public Integer deserialize(ByteBufferDataInput in) throws IOException {
            return in.readInt();
        }
    };

    private static final RecordSerializer<Double> DOUBLES = new RecordSerializer<>() {
        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public void serialize(Double record, ByteArrayDataOutput out) {
            out.writeDouble(record);
        }

        @Override
        public Double deserialize(ByteBufferDataInput in) throws IOException {
            return in.readDouble();
        }
    };

    private static final RecordSerializer<String> STRINGS = new RecordSerializer<>() {
        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public void serialize(String record, ByteArrayDataOutput out) {
            out.writeUtf8(record);
        }

        @Override
        public String deserialize(ByteBufferDataInput in) throws IOException {
            return in.readUtf8("a string record");
        }
    };

    private static final RecordSerializer<byte[]> BYTE_ARRAYS = new RecordSerializer<>() {
        @Override
        public void serialize(byte[] record, ByteArrayDataOutput out) {
            out.writeInt(record.length);
            out.write(record);
        }

        @Override
        public byte[] deserialize(ByteBufferDataInput in) throws IOException {
            return in.readByteArray(in.readInt(), "a byte array record");
        }
    };

    private RecordSerializers() {
    }

    public static RecordSerializer<Long> longs() {
        return LONGS;
    }

    public static RecordSerializer<Integer> ints() {
        return INTS;
    }

    public static RecordSerializer<Double> doubles() {
        return DOUBLES;
    }

    /** UTF-8 strings of any length (not limited to 64 KiB like modified UTF-8). */
    public static RecordSerializer<String> strings() {
        return STRINGS;
    }

    public static RecordSerializer<byte[]> byteArrays() {
        return BYTE_ARRAYS;
    }

    public static <A, B> RecordSerializer<Tuple2<A, B>> tuple2(RecordSerializer<A> first, RecordSerializer<B> second) {
        return new RecordSerializer<>() {
            @Override
            public void serialize(Tuple2<A, B> record, ByteArrayDataOutput out) throws IOException {
                first.serialize(record.f0(), out);
                second.serialize(record.f1(), out);
            }

            @Override
            public Tuple2<A, B> deserialize(ByteBufferDataInput in) throws IOException {
                return new Tuple2<>(first.deserialize(in), second.deserialize(in));
            }

            @Override
            public boolean isImmutableType() {
                return first.isImmutableType() && second.isImmutableType();
            }
        };
    }

    public static <A, B, C> RecordSerializer<Tuple3<A, B, C>> tuple3(
            RecordSerializer<A> first, RecordSerializer<B> second, RecordSerializer<C> third) {
        return new RecordSerializer<>() {
            @Override
            public void serialize(Tuple3<A, B, C> record, ByteArrayDataOutput out) throws IOException {
                first.serialize(record.f0(), out);
                second.serialize(record.f1(), out);
                third.serialize(record.f2(), out);
            }

            @Override
            public Tuple3<A, B, C> deserialize(ByteBufferDataInput in) throws IOException {
                return new Tuple3<>(first.deserialize(in), second.deserialize(in), third.deserialize(in));
            }

            @Override
            public boolean isImmutableType() {
                return first.isImmutableType() && second.isImmutableType() && third.isImmutableType();
            }
        };
    }

    /**
     * Any type, as CBOR through the object mapper Akka configures for its {@code jackson-cbor}
     * binding (so {@code akka.serialization.jackson} settings and modules apply).
     */
    public static <T> RecordSerializer<T> jackson(Class<T> type, ActorSystem<?> system) {
        return new JacksonRecordSerializer<>(type, cborMapper(system.classicSystem()));
    }

    /** The object mapper of Akka's {@code jackson-cbor} binding, made once per actor system by Akka. */
    static ObjectMapper cborMapper(akka.actor.ClassicActorSystemProvider system) {
        return JacksonObjectMapperProvider.get(system.classicSystem())
                .getOrCreate(JACKSON_CBOR_BINDING, Optional.of(new CBORFactory()));
    }

    /** Any type, through the given Jackson object mapper (JSON, CBOR or another format). */
    public static <T> RecordSerializer<T> jackson(Class<T> type, ObjectMapper mapper) {
        return new JacksonRecordSerializer<>(type, mapper);
    }
}
