package dev.snapflow.serialization.akka;

import akka.actor.ExtendedActorSystem;
import akka.serialization.SerializerWithStringManifest;
import dev.snapflow.serialization.buffer.Buffer;
import dev.snapflow.serialization.buffer.BufferSerializer;
import dev.snapflow.serialization.event.Event;
import dev.snapflow.serialization.event.EventAllowList;
import dev.snapflow.serialization.event.EventSerializer;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Akka serializer for {@link Event}s and {@link Buffer}s, so that both cross Akka remoting in
 * Snapflow's own binary format rather than as generic objects. Events are
 * {@link EventSerializer}'s bytes; buffers are {@link BufferSerializer}'s. User events are decoded
 * only if their class is on {@code snapflow.serialization.allowed-event-classes}.
 */
public final class SnapflowBinarySerializer extends SerializerWithStringManifest {

    /** Registered in reference.conf; Akka reserves 0–40 for itself. */
    public static final int IDENTIFIER = 7_301_001;

    static final String EVENT_MANIFEST = "E";
    static final String BUFFER_MANIFEST = "B";

    private final ClassLoader classLoader;
    private final EventAllowList allowList;

    public SnapflowBinarySerializer(ExtendedActorSystem system) {
        this.classLoader = system.dynamicAccess().classLoader();
        this.allowList = SerializationSettings.create(system.settings().config()).eventAllowList();
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof Event) {
            return EVENT_MANIFEST;
        }
        if (o instanceof Buffer) {
            return BUFFER_MANIFEST;
        }
        throw new IllegalArgumentException("Cannot serialize " + o.getClass().getName() + " with " + getClass().getName());
    }

    @Override
    public byte[] toBinary(Object o) {
        if (o instanceof Event event) {
            try {
                ByteBuffer bytes = EventSerializer.toSerializedEvent(event);
                return bytes.array();
            } catch (IOException e) {
                throw new UncheckedIOException("Could not serialize event " + event, e);
            }
        }
        if (o instanceof Buffer buffer) {
            return BufferSerializer.toBytes(buffer);
        }
        throw new IllegalArgumentException("Cannot serialize " + o.getClass().getName() + " with " + getClass().getName());
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        try {
            return switch (manifest) {
                case EVENT_MANIFEST -> EventSerializer.fromSerializedEvent(ByteBuffer.wrap(bytes), classLoader, allowList);
                case BUFFER_MANIFEST -> BufferSerializer.fromBytes(bytes);
                default -> throw new NotSerializableException("Unknown manifest '" + manifest + "' for " + getClass().getName());
            };
        } catch (NotSerializableException e) {
            throw e;
        } catch (IOException e) {
            NotSerializableException failure = new NotSerializableException(e.getMessage());
            failure.initCause(e);
            throw failure;
        }
    }
}
