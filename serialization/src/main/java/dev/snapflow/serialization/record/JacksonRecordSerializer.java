package dev.snapflow.serialization.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Serializes one record type through a Jackson object mapper. The reader and writer for the type
 * are resolved once; Jackson's readers and writers are immutable and thread-safe.
 */
final class JacksonRecordSerializer<T> implements RecordSerializer<T> {

    private final Class<T> type;
    private final ObjectWriter writer;
    private final ObjectReader reader;

    JacksonRecordSerializer(Class<T> type, ObjectMapper mapper) {
        this.type = Objects.requireNonNull(type, "type");
        this.writer = mapper.writerFor(type).without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        this.reader = mapper.readerFor(type);
    }

    @Override
    public void serialize(T record, ByteArrayDataOutput out) throws IOException {
        writer.writeValue((OutputStream) out, record);
    }

    @Override
    public T deserialize(ByteBufferDataInput in) throws IOException {
        try {
            T value = reader.readValue((InputStream) in);
            if (value == null) {
                throw new IOException("Jackson decoded null for " + type.getName());
            }
            return value;
        } catch (RuntimeException e) {
            throw new IOException("Jackson could not decode a " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "JacksonRecordSerializer[" + type.getName() + "]";
    }
}
