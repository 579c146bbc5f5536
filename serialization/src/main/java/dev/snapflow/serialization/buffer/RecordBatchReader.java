package dev.snapflow.serialization.buffer;

import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.RecordSerializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the records of a data {@link Buffer} back. Each record's deserializer sees exactly that
 * record's bytes: it cannot read into the next record, and it must consume all of them, or the
 * buffer is reported corrupt.
 */
public final class RecordBatchReader {

    /** Receives decoded records one by one. */
    @FunctionalInterface
    public interface RecordConsumer<T> {
        void accept(T record) throws IOException;
    }

    private RecordBatchReader() {
    }

    /** All records of {@code buffer}, in order. */
    public static <T> List<T> readAll(Buffer buffer, RecordSerializer<T> serializer) throws IOException {
        List<T> records = new ArrayList<>();
        forEach(buffer, serializer, records::add);
        return records;
    }

    /**
     * Decodes the records of {@code buffer} in order and hands each to {@code consumer}.
     *
     * @return the number of records
     * @throws IllegalStateException if {@code buffer} holds an event
     * @throws IOException           if the framing is corrupt or a record does not deserialize
     */
    public static <T> int forEach(Buffer buffer, RecordSerializer<T> serializer, RecordConsumer<? super T> consumer)
            throws IOException {
        if (!buffer.isBuffer()) {
            throw new IllegalStateException("A " + buffer.dataType() + " holds an event, not records");
        }
        ByteBuffer bytes = ByteBuffer.wrap(buffer.payloadArray());
        ByteBufferDataInput in = new ByteBufferDataInput(bytes);
        int end = bytes.limit();
        int index = 0;
        while (bytes.position() < end) {
            if (end - bytes.position() < 4) {
                throw new IOException("Corrupt data buffer: record " + index + " has an incomplete length");
            }
            int length = bytes.getInt();
            int recordEnd = bytes.position() + length;
            if (length < 0 || length > end - bytes.position()) {
                throw new IOException("Corrupt data buffer: record " + index + " claims " + length
                        + " bytes but " + (end - bytes.position()) + " remain");
            }
            bytes.limit(recordEnd);
            T record;
            try {
                record = serializer.deserialize(in);
            } catch (IOException | RuntimeException e) {
                throw new IOException("Could not deserialize record " + index + " (" + length + " bytes): " + e.getMessage(), e);
            }
            if (bytes.position() != recordEnd) {
                throw new IOException("Corrupt data buffer: record " + index + " left "
                        + (recordEnd - bytes.position()) + " of its " + length + " bytes unread");
            }
            bytes.limit(end);
            consumer.accept(record);
            index++;
        }
        return index;
    }
}
