package dev.snapflow.serialization.record;

import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;

import java.io.IOException;

/**
 * Writes records of type {@code T} to bytes and reads them back. {@link RecordSerializers} has
 * the built-ins.
 *
 * <p>Contract: {@code deserialize} reads exactly the bytes {@code serialize} wrote for one record
 * (the buffer framing checks this); implementations are stateless or otherwise safe to share
 * between threads; records are never null.
 */
public interface RecordSerializer<T> {

    void serialize(T record, ByteArrayDataOutput out) throws IOException;

    /**
     * Reads one record. The input holds exactly this record's bytes and throws
     * {@link java.io.EOFException} rather than read past them; check lengths read from the input
     * with {@link ByteBufferDataInput#require} before allocating.
     */
    T deserialize(ByteBufferDataInput in) throws IOException;

    /**
     * True if the records this serializer handles are immutable, so that a snapshot may share
     * them with live state instead of serializing them at once. False unless known.
     */
    default boolean isImmutableType() {
        return false;
    }
}
