package dev.snapflow.serialization.buffer;

import dev.snapflow.serialization.record.RecordSerializer;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.record.Tuple3;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BufferProperties {

    private static final RecordSerializer<Tuple3<Long, String, Double>> TRIPLES = RecordSerializers.tuple3(
            RecordSerializers.longs(), RecordSerializers.strings(), RecordSerializers.doubles());

    @Provide
    Arbitrary<List<Tuple3<Long, String, Double>>> records() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.strings().ofMaxLength(40), Arbitraries.doubles())
                .as(Tuple3::of)
                .list().ofMaxSize(200);
    }

    @Property(tries = 300)
    void any_batch_of_records_round_trips_through_bytes(
            @ForAll("records") List<Tuple3<Long, String, Double>> records,
            @ForAll @IntRange(min = 1, max = 4096) int targetBytes) throws IOException {
        RecordBatchBuilder<Tuple3<Long, String, Double>> builder = new RecordBatchBuilder<>(TRIPLES, targetBytes);
        List<Buffer> buffers = new ArrayList<>();
        for (Tuple3<Long, String, Double> record : records) {
            builder.add(record);
            if (builder.isFull()) {
                buffers.add(builder.finish());
            }
        }
        if (!builder.isEmpty()) {
            buffers.add(builder.finish());
        }

        List<Tuple3<Long, String, Double>> decoded = new ArrayList<>();
        for (Buffer buffer : buffers) {
            Buffer overTheWire = BufferSerializer.fromBytes(BufferSerializer.toBytes(buffer));
            assertThat(overTheWire).isEqualTo(buffer);
            RecordBatchReader.forEach(overTheWire, TRIPLES, decoded::add);
        }

        assertThat(decoded).isEqualTo(records);
    }

    @Property(tries = 300)
    void any_bytes_either_decode_as_a_buffer_or_fail_with_an_io_exception(@ForAll byte[] bytes) {
        try {
            Buffer buffer = BufferSerializer.fromBytes(bytes);
            if (buffer.isBuffer()) {
                RecordBatchReader.forEach(buffer, RecordSerializers.byteArrays(), record -> { });
            }
        } catch (IOException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
