package dev.snapflow.serialization.buffer;

import dev.snapflow.serialization.event.Event;
import dev.snapflow.serialization.event.EventAllowList;
import dev.snapflow.serialization.event.EventSerializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable unit of channel traffic: either one serialized event or a batch of
 * length-prefixed serialized records, with the {@link DataType} that tells channels how to treat
 * it. Records are read with {@link RecordBatchReader} and written with {@link RecordBatchBuilder};
 * {@link BufferSerializer} gives the byte form that crosses nodes.
 */
public final class Buffer {

    private final DataType dataType;
    /** Owned by this buffer: never handed out without a copy or a read-only view. */
    private final byte[] payload;

    private Buffer(DataType dataType, byte[] payload) {
        this.dataType = dataType;
        this.payload = payload;
    }

    /** A buffer that takes ownership of {@code payload}; for codecs of this package only. */
    static Buffer wrap(DataType dataType, byte[] payload) {
        Objects.requireNonNull(dataType, "dataType");
        Objects.requireNonNull(payload, "payload");
        if (dataType == DataType.NONE) {
            throw new IllegalArgumentException("A buffer cannot have data type NONE");
        }
        return new Buffer(dataType, payload);
    }

    /** A buffer holding {@code event}; a priority event jumps ahead of queued buffers. */
    public static Buffer forEvent(Event event, boolean hasPriority) throws IOException {
        ByteBuffer serialized = EventSerializer.toSerializedEvent(event);
        return new Buffer(DataType.forEvent(event, hasPriority), serialized.array());
    }

    /**
     * A buffer of the given type over a copy of {@code payload}, which must be framed as that
     * type requires.
     *
     * @throws IOException if {@code payload} is not a valid payload for {@code dataType}
     */
    public static Buffer of(DataType dataType, byte[] payload) throws IOException {
        Buffer buffer = wrap(dataType, payload.clone());
        BufferSerializer.validate(buffer);
        return buffer;
    }

    public DataType dataType() {
        return dataType;
    }

    public boolean isBuffer() {
        return dataType.isBuffer();
    }

    public boolean isEvent() {
        return dataType.isEvent();
    }

    /** Payload size in bytes. */
    public int size() {
        return payload.length;
    }

    /** A read-only big-endian view of the payload, positioned at 0. */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /** A copy of the payload bytes. */
    public byte[] payloadBytes() {
        return payload.clone();
    }

    /** Package access to the payload without a copy, for the codecs that never modify it. */
    byte[] payloadArray() {
        return payload;
    }

    /**
     * Decodes the event this buffer holds.
     *
     * @throws IllegalStateException if this is a data buffer
     * @throws IOException           if the payload is not a valid event
     */
    public Event toEvent(ClassLoader classLoader, EventAllowList allowList) throws IOException {
        if (!isEvent()) {
            throw new IllegalStateException("A " + dataType + " holds records, not an event");
        }
        return EventSerializer.fromSerializedEvent(ByteBuffer.wrap(payload), classLoader, allowList);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Buffer other && dataType == other.dataType && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
        return 31 * dataType.hashCode() + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Buffer[" + dataType + ", " + payload.length + " bytes]";
    }
}
