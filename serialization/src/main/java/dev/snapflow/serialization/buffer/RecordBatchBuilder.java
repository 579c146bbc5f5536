package dev.snapflow.serialization.buffer;

import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.record.RecordSerializer;

import java.io.IOException;
import java.util.Objects;

/**
 * Serializes records one after another into the payload of a data {@link Buffer}, each with a
 * 4-byte length prefix, until the caller decides the batch is full.
 *
 * <p>Reusable: {@link #finish()} hands out the batch and starts an empty one over the same
 * growable array, so a steady stream of batches allocates only the finished payloads. A record is
 * never split across buffers; a single record larger than the target makes a larger buffer.
 * Not thread-safe; confined to the producing subtask.
 */
public final class RecordBatchBuilder<T> {

    private final RecordSerializer<T> serializer;
    private final int targetBytes;
    private final ByteArrayDataOutput out;
    /** Records added since the last {@link #finish()}. */
    private int recordCount;

    /**
     * @param targetBytes the payload size at which {@link #isFull()} turns true, {@code > 0}
     */
    public RecordBatchBuilder(RecordSerializer<T> serializer, int targetBytes) {
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        if (targetBytes <= 0) {
            throw new IllegalArgumentException("targetBytes must be > 0, was " + targetBytes);
        }
        this.targetBytes = targetBytes;
        this.out = new ByteArrayDataOutput(targetBytes + 64);
    }

    /** Appends one record; if its serializer fails, the batch is left as it was before the call. */
    public void add(T record) throws IOException {
        Objects.requireNonNull(record, "records must not be null");
        int lengthSlot = out.position();
        out.writeInt(0);
        try {
            serializer.serialize(record, out);
        } catch (IOException | RuntimeException e) {
            out.truncate(lengthSlot);
            throw e;
        }
        out.writeIntAt(lengthSlot, out.position() - lengthSlot - 4);
        recordCount++;
    }

    /** True once the payload reached the target size. */
    public boolean isFull() {
        return out.position() >= targetBytes;
    }

    public boolean isEmpty() {
        return recordCount == 0;
    }

    public int recordCount() {
        return recordCount;
    }

    /** Payload bytes written so far. */
    public int sizeBytes() {
        return out.position();
    }

    /** The records added so far as a {@link DataType#DATA_BUFFER}; the builder starts over empty. */
    public Buffer finish() {
        Buffer buffer = Buffer.wrap(DataType.DATA_BUFFER, out.toByteArray());
        out.reset();
        recordCount = 0;
        return buffer;
    }
}
