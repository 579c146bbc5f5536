package dev.snapflow.serialization.record;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.DisabledJavaSerializer;
import akka.serialization.JavaSerializer;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes values of any type together with their type, so that they read back as the same type
 * with {@code equals} and {@code hashCode} intact: keys in keyed state snapshots and records in
 * in-flight data. One serialization story for every value a user hands the engine:
 * <ul>
 *   <li>built-in types (boxed primitives, strings, byte arrays, {@link Tuple2} and {@link Tuple3} of
 *       any of these) behind a one-byte tag, field by field, with no configuration;</li>
 *   <li>a type bound to an Akka serializer in {@code akka.actor.serialization-bindings} through that
 *       serializer (serializer id, manifest, bytes): the explicit override per type;</li>
 *   <li>enums by class and constant name;</li>
 *   <li>anything else (Java records, POJOs) as CBOR through the object mapper Akka configures for
 *       its {@code jackson-cbor} binding ({@link JacksonObjectMapperProvider}), so
 *       {@code akka.serialization.jackson} settings and modules apply.</li>
 * </ul>
 * Class names read back are resolved through Akka's {@code dynamicAccess}, never
 * {@code Class.forName}. Each stream names a class once and refers to it by number afterwards.
 *
 * <p>Format of one value (big-endian): a tag byte, then its payload; a class is an int, either
 * the number of a class named earlier in the stream or -1 followed by the class name (UTF-8).
 * Thread-safe; a {@link Writer} or {@link Reader} belongs to one thread.
 */
public final class ValueCodec {

    private static final byte AKKA = 0;
    private static final byte LONG = 1;
    private static final byte INT = 2;
    private static final byte STRING = 3;
    private static final byte DOUBLE = 4;
    private static final byte BYTES = 5;
    private static final byte TUPLE2 = 6;
    private static final byte TUPLE3 = 7;
    private static final byte BOOLEAN = 8;
    private static final byte SHORT = 9;
    private static final byte BYTE = 10;
    private static final byte FLOAT = 11;
    private static final byte CHAR = 12;
    private static final byte ENUM = 13;
    private static final byte JACKSON = 14;

    private static final int NEW_CLASS = -1;

    /** How values of a class that is not built in are written. */
    private enum Route { AKKA, ENUM, JACKSON }

    /** Null without an actor system: then only built-in types can be written. */
    private final Serialization serialization;
    private final ExtendedActorSystem classic;
    private final ObjectMapper mapper;
    /** Made once: Jackson's writers are immutable and thread-safe, and making one per value costs. */
    private final ObjectWriter jacksonWriter;
    private final ClassValue<Route> routes = new ClassValue<>() {
        @Override
        protected Route computeValue(Class<?> type) {
            return routeFor(type);
        }
    };
    private final Map<String, Class<?>> classesByName = new ConcurrentHashMap<>();
    /** Classes whose first value survived a Jackson round trip; see {@link #checkJacksonRoundTrip}. */
    private final Map<Class<?>, Boolean> checkedJacksonClasses = new ConcurrentHashMap<>();

    private ValueCodec(ExtendedActorSystem classic) {
        this.classic = classic;
        this.serialization = classic == null ? null : SerializationExtension.get(classic);
        this.mapper = classic == null ? null : RecordSerializers.cborMapper(classic);
        this.jacksonWriter = mapper == null ? null : mapper.writer().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }

    /** A codec for every type, using the actor system's serialization and Jackson configuration. */
    public static ValueCodec create(ActorSystem<?> system) {
        JacksonCompatibility.requireRecordSupport();
        return new ValueCodec((ExtendedActorSystem) Adapter.toClassic(system));
    }

    /** A codec for the built-in types only, for tools and tests that run without an actor system. */
    public static ValueCodec builtInTypesOnly() {
        return new ValueCodec(null);
    }

    public Writer writer(ByteArrayDataOutput out) {
        return new Writer(out);
    }

    /** @param what names the data in errors, for example "keyed state of operator 'count'" */
    public Reader reader(ByteBufferDataInput in, String what) {
        return new Reader(in, what);
    }

    /** One value on its own, as bytes. */
    public byte[] toBytes(Object value) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(32);
        writer(out).write(value);
        return out.toByteArray();
    }

    /** Reads what {@link #toBytes} wrote. */
    public Object fromBytes(byte[] bytes, String what) throws IOException {
        return reader(new ByteBufferDataInput(ByteBuffer.wrap(bytes)), what).read();
    }

    /**
     * Checks that {@code value} reads back equal to itself, with the same hash code: what a key
     * must do for its state to be found again after a restore.
     *
     * @throws IllegalArgumentException naming the type and the way to fix it
     */
    public void checkRoundTrip(Object value, String role) {
        Object back;
        try {
            back = fromBytes(toBytes(value), role);
        } catch (IOException e) {
            throw new IllegalArgumentException("A " + role + " of " + value.getClass().getName() + " cannot be serialized: "
                    + e.getMessage(), e);
        }
        if (!value.equals(back) || value.hashCode() != back.hashCode()) {
            throw new IllegalArgumentException("A " + role + " of " + value.getClass().getName() + " does not read back equal"
                    + " to itself (" + value + " came back as " + back + describeClass(back) + "), so its state would not be found"
                    + " after a restore. " + FIX);
        }
    }

    private static String describeClass(Object value) {
        return value == null ? "" : ", a " + value.getClass().getName();
    }

    private static final String FIX = "Give it equals and hashCode over its fields and a shape Jackson can read back (a Java"
            + " record with concrete component types, or a POJO with a no-argument constructor and getters and setters), or"
            + " bind an Akka serializer to it in akka.actor.serialization-bindings.";

    private Route routeFor(Class<?> type) {
        if (serialization == null) {
            throw new IllegalArgumentException("Values of " + type.getName() + " need an actor system to be serialized");
        }
        Serializer serializer;
        try {
            serializer = serialization.serializerFor(type);
        } catch (java.io.NotSerializableException | RuntimeException e) {
            serializer = null; // not bound to anything: our default applies
        }
        if (serializer != null && !(serializer instanceof JavaSerializer) && !(serializer instanceof DisabledJavaSerializer)) {
            return Route.AKKA;
        }
        if (Enum.class.isAssignableFrom(type)) {
            return Route.ENUM;
        }
        return Route.JACKSON;
    }

    private Class<?> resolve(String name, String what) throws IOException {
        Class<?> known = classesByName.get(name);
        if (known != null) {
            return known;
        }
        if (classic == null) {
            throw new IOException(what + " names class " + name + ", which needs an actor system to be read");
        }
        try {
            Class<?> type = classic.dynamicAccess().getClassFor(name, ClassTag$.MODULE$.Any()).get();
            classesByName.put(name, type);
            return type;
        } catch (Exception e) {
            throw new IOException(what + " names class " + name + ", which cannot be loaded: " + e, e);
        }
    }

    /**
     * A value written by Jackson must read back as an equal value, or it would change silently on
     * its way through a checkpoint (a generic component comes back as a map, a field without a
     * setter comes back empty). Checked once per class, where equality is defined by the class.
     */
    private void checkJacksonRoundTrip(Object value, byte[] bytes) throws IOException {
        Class<?> type = value.getClass();
        if (checkedJacksonClasses.containsKey(type)) {
            return;
        }
        if (definesEquals(type)) {
            Object back = readJackson(type, bytes);
            if (!value.equals(back)) {
                throw new IOException("a " + type.getName() + " does not survive Jackson CBOR: " + value + " read back as "
                        + back + ". " + FIX);
            }
        }
        checkedJacksonClasses.put(type, Boolean.TRUE);
    }

    private static boolean definesEquals(Class<?> type) {
        try {
            return type.getMethod("equals", Object.class).getDeclaringClass() != Object.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private Object readJackson(Class<?> type, byte[] bytes) throws IOException {
        try {
            Object value = mapper.readerFor(type).readValue(bytes);
            if (value == null) {
                throw new IOException("Jackson read null for a " + type.getName());
            }
            return value;
        } catch (RuntimeException e) {
            throw new IOException("Jackson cannot read a " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /** Writes values into one stream; names each class once. Confined to one thread. */
    public final class Writer {
        private final ByteArrayDataOutput out;
        private Map<Class<?>, Integer> classNumbers;

        private Writer(ByteArrayDataOutput out) {
            this.out = Objects.requireNonNull(out, "out");
        }

        /**
         * @throws IOException naming the value's type and the fix, if it cannot be written
         */
        public void write(Object value) throws IOException {
            if (value instanceof Long number) {
                out.writeByte(LONG);
                out.writeLong(number);
            } else if (value instanceof String text) {
                out.writeByte(STRING);
                out.writeUtf8(text);
            } else if (value instanceof Integer number) {
                out.writeByte(INT);
                out.writeInt(number);
            } else if (value instanceof Double number) {
                out.writeByte(DOUBLE);
                out.writeDouble(number);
            } else if (value instanceof Boolean flag) {
                out.writeByte(BOOLEAN);
                out.writeBoolean(flag);
            } else if (value instanceof Tuple2<?, ?> tuple) {
                out.writeByte(TUPLE2);
                write(tuple.f0());
                write(tuple.f1());
            } else if (value instanceof Tuple3<?, ?, ?> tuple) {
                out.writeByte(TUPLE3);
                write(tuple.f0());
                write(tuple.f1());
                write(tuple.f2());
            } else if (value instanceof byte[] bytes) {
                out.writeByte(BYTES);
                out.writeInt(bytes.length);
                out.write(bytes);
            } else if (value instanceof Short number) {
                out.writeByte(SHORT);
                out.writeShort(number);
            } else if (value instanceof Byte number) {
                out.writeByte(BYTE);
                out.writeByte(number);
            } else if (value instanceof Float number) {
                out.writeByte(FLOAT);
                out.writeFloat(number);
            } else if (value instanceof Character character) {
                out.writeByte(CHAR);
                out.writeChar(character);
            } else if (value == null) {
                throw new IOException("Null values cannot be written");
            } else {
                writeObject(value);
            }
        }

        private void writeObject(Object value) throws IOException {
            Class<?> type = value.getClass();
            Route route;
            try {
                route = routes.get(type);
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
            switch (route) {
                case ENUM -> {
                    Enum<?> constant = (Enum<?>) value;
                    out.writeByte(ENUM);
                    writeClass(constant.getDeclaringClass());
                    out.writeUtf8(constant.name());
                }
                case JACKSON -> {
                    byte[] bytes = writeJackson(value);
                    checkJacksonRoundTrip(value, bytes);
                    out.writeByte(JACKSON);
                    writeClass(type);
                    out.writeInt(bytes.length);
                    out.write(bytes);
                }
                case AKKA -> {
                    Serializer serializer = serialization.findSerializerFor(value);
                    byte[] bytes;
                    try {
                        bytes = serializer.toBinary(value);
                    } catch (Exception e) { // Akka serializers throw undeclared checked exceptions
                        throw new IOException("Akka serializer " + serializer.getClass().getName() + " cannot write a "
                                + type.getName() + ": " + e.getMessage(), e);
                    }
                    out.writeByte(AKKA);
                    out.writeInt(serializer.identifier());
                    out.writeUtf8(Serializers.manifestFor(serializer, value));
                    out.writeInt(bytes.length);
                    out.write(bytes);
                }
            }
        }

        private byte[] writeJackson(Object value) throws IOException {
            try {
                return jacksonWriter.writeValueAsBytes(value);
            } catch (RuntimeException | IOException e) {
                throw new IOException("a " + value.getClass().getName() + " cannot be serialized by Jackson CBOR: "
                        + e.getMessage() + ". " + FIX, e);
            }
        }

        private void writeClass(Class<?> type) {
            if (classNumbers == null) {
                classNumbers = new HashMap<>();
            }
            Integer number = classNumbers.get(type);
            if (number != null) {
                out.writeInt(number);
            } else {
                classNumbers.put(type, classNumbers.size());
                out.writeInt(NEW_CLASS);
                out.writeUtf8(type.getName());
            }
        }
    }

    /** Reads values from one stream written by a {@link Writer}. Confined to one thread. */
    public final class Reader {
        private final ByteBufferDataInput in;
        private final String what;
        private List<Class<?>> classes;

        private Reader(ByteBufferDataInput in, String what) {
            this.in = Objects.requireNonNull(in, "in");
            this.what = Objects.requireNonNull(what, "what");
        }

        public Object read() throws IOException {
            byte tag = in.readByte();
            return switch (tag) {
                case LONG -> in.readLong();
                case STRING -> in.readUtf8(what);
                case INT -> in.readInt();
                case DOUBLE -> in.readDouble();
                case BOOLEAN -> in.readBoolean();
                case TUPLE2 -> Tuple2.of(read(), read());
                case TUPLE3 -> Tuple3.of(read(), read(), read());
                case BYTES -> in.readByteArray(in.readInt(), what);
                case SHORT -> in.readShort();
                case BYTE -> in.readByte();
                case FLOAT -> in.readFloat();
                case CHAR -> in.readChar();
                case ENUM -> readEnum();
                case JACKSON -> {
                    Class<?> type = readClass();
                    if (mapper == null) {
                        throw new IOException(what + " holds a " + type.getName() + ", which needs an actor system to be read");
                    }
                    yield readJackson(type, in.readByteArray(in.readInt(), what));
                }
                case AKKA -> readAkka();
                default -> throw new IOException(what + " has an unknown value tag " + tag);
            };
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private Object readEnum() throws IOException {
            Class<?> type = readClass();
            String name = in.readUtf8(what);
            if (!type.isEnum()) {
                throw new IOException(what + " names " + type.getName() + " as an enum, which it is not");
            }
            try {
                return Enum.valueOf((Class) type, name);
            } catch (IllegalArgumentException e) {
                throw new IOException(what + " holds " + type.getName() + "." + name + ", which that enum no longer has", e);
            }
        }

        private Object readAkka() throws IOException {
            int serializerId = in.readInt();
            String manifest = in.readUtf8(what);
            byte[] bytes = in.readByteArray(in.readInt(), what);
            if (serialization == null) {
                throw new IOException(what + " holds a value of Akka serializer " + serializerId + ", which needs an actor system");
            }
            try {
                return serialization.deserialize(bytes, serializerId, manifest).get();
            } catch (Exception e) {
                throw new IOException(what + " holds a value that Akka serializer " + serializerId + " cannot read (manifest '"
                        + manifest + "'): " + e.getMessage(), e);
            }
        }

        private Class<?> readClass() throws IOException {
            if (classes == null) {
                classes = new ArrayList<>();
            }
            int number = in.readInt();
            if (number == NEW_CLASS) {
                Class<?> type = resolve(in.readUtf8(what), what);
                classes.add(type);
                return type;
            }
            if (number < 0 || number >= classes.size()) {
                throw new IOException(what + " refers to class number " + number + " of " + classes.size() + " named so far");
            }
            return classes.get(number);
        }
    }
}
