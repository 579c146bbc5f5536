package dev.snapflow.serialization.buffer;

import dev.snapflow.serialization.event.CancelCheckpointMarker;
import dev.snapflow.serialization.event.EventAllowList;
import dev.snapflow.serialization.record.RecordSerializer;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufferTest {

    @Test
    void when_records_are_batched_then_the_payload_is_length_prefixed_records() throws IOException {
        RecordBatchBuilder<Long> builder = new RecordBatchBuilder<>(RecordSerializers.longs(), 1024);
        builder.add(1L);
        builder.add(-2L);

        Buffer buffer = builder.finish();

        assertThat(buffer.dataType()).isEqualTo(DataType.DATA_BUFFER);
        assertThat(HexFormat.of().formatHex(BufferSerializer.toBytes(buffer))).isEqualTo(
                "01" + "00000008" + "0000000000000001" + "00000008" + "fffffffffffffffe");
        assertThat(RecordBatchReader.readAll(buffer, RecordSerializers.longs())).containsExactly(1L, -2L);
        assertThat(builder.isEmpty()).isTrue();
    }

    @Test
    void when_target_size_is_reached_then_the_builder_is_full() throws IOException {
        RecordBatchBuilder<Long> builder = new RecordBatchBuilder<>(RecordSerializers.longs(), 24);
        builder.add(1L);
        assertThat(builder.isFull()).isFalse();

        builder.add(2L);

        assertThat(builder.isFull()).isTrue();
        assertThat(builder.recordCount()).isEqualTo(2);
        assertThat(builder.sizeBytes()).isEqualTo(24);
    }

    @Test
    void when_a_record_fails_to_serialize_then_the_batch_is_unchanged() throws IOException {
        RecordSerializer<String> failing = new RecordSerializer<>() {
            @Override
            public void serialize(String record, ByteArrayDataOutput out) throws IOException {
                out.writeInt(99);
                if (record.equals("bad")) {
                    throw new IOException("cannot write " + record);
                }
            }

            @Override
            public String deserialize(ByteBufferDataInput in) throws IOException {
                in.readInt();
                return "ok";
            }
        };
        RecordBatchBuilder<String> builder = new RecordBatchBuilder<>(failing, 100);
        builder.add("fine");

        assertThatThrownBy(() -> builder.add("bad")).hasMessage("cannot write bad");

        assertThat(builder.recordCount()).isEqualTo(1);
        assertThat(RecordBatchReader.readAll(builder.finish(), failing)).containsExactly("ok");
    }

    @Test
    void when_an_event_buffer_is_made_then_it_decodes_to_the_event() throws IOException {
        Buffer buffer = Buffer.forEvent(new CancelCheckpointMarker(7), false);

        assertThat(buffer.dataType()).isEqualTo(DataType.EVENT_BUFFER);
        assertThat(buffer.toEvent(getClass().getClassLoader(), EventAllowList.none())).isEqualTo(new CancelCheckpointMarker(7));
        assertThat(BufferSerializer.fromBytes(BufferSerializer.toBytes(buffer))).isEqualTo(buffer);
    }

    @Test
    void when_records_are_read_from_an_event_buffer_then_it_is_refused() throws IOException {
        Buffer buffer = Buffer.forEvent(new CancelCheckpointMarker(7), true);

        assertThatThrownBy(() -> RecordBatchReader.readAll(buffer, RecordSerializers.longs()))
                .isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
            "''                         | Incomplete buffer: no data type byte",
            "00                         | Corrupt buffer: unknown data type code 0",
            "0C                         | Corrupt buffer: unknown data type code 12",
            "FF                         | Corrupt buffer: unknown data type code 255",
            "02000000                   | Incomplete event buffer: 3 bytes, a type tag needs 4",
            "01000000                   | Corrupt data buffer: record 0 has an incomplete length (3 of 4 bytes)",
            "01FFFFFFFF                 | Corrupt data buffer: record 0 claims -1 bytes but 0 remain",
            "017FFFFFFF00               | Corrupt data buffer: record 0 claims 2147483647 bytes but 1 remain",
            "010000000101000000020A     | Corrupt data buffer: record 1 claims 2 bytes but 1 remain",
    })
    void when_buffer_bytes_are_bad_then_an_io_exception_says_what(String hex, String message) {
        byte[] bytes = HexFormat.of().parseHex(hex.trim().toLowerCase());

        assertThatThrownBy(() -> BufferSerializer.fromBytes(bytes))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage(message.trim());
    }

    @Test
    void when_a_deserializer_leaves_bytes_unread_then_the_buffer_is_corrupt() throws IOException {
        Buffer twelveByteRecord = Buffer.of(DataType.DATA_BUFFER, HexFormat.of().parseHex("0000000c" + "00".repeat(12)));

        assertThatThrownBy(() -> RecordBatchReader.readAll(twelveByteRecord, RecordSerializers.longs()))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("Corrupt data buffer: record 0 left 4 of its 12 bytes unread");
    }

    @Test
    void when_a_deserializer_wants_more_than_its_record_then_it_cannot_read_the_next_one() throws IOException {
        Buffer fourByteRecords = Buffer.of(DataType.DATA_BUFFER, HexFormat.of().parseHex("00000004" + "00000001" + "00000004" + "00000002"));

        assertThatThrownBy(() -> RecordBatchReader.readAll(fourByteRecords, RecordSerializers.longs()))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageStartingWith("Could not deserialize record 0 (4 bytes): a long needs 8 bytes but only 4 remain");
    }

    @Test
    void when_a_string_record_claims_more_bytes_than_present_then_nothing_is_allocated_for_it() throws IOException {
        Buffer hugeClaim = Buffer.of(DataType.DATA_BUFFER, HexFormat.of().parseHex("00000004" + "7fffffff"));

        assertThatThrownBy(() -> RecordBatchReader.readAll(hugeClaim, RecordSerializers.strings()))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageContaining("a string record needs 2147483647 bytes but only 0 remain");
    }

    @Test
    void when_payload_is_copied_in_then_later_changes_do_not_leak() throws IOException {
        byte[] payload = HexFormat.of().parseHex("000000080000000000000001");
        Buffer buffer = Buffer.of(DataType.DATA_BUFFER, payload);
        payload[11] = 5;

        assertThat(RecordBatchReader.readAll(buffer, RecordSerializers.longs())).isEqualTo(List.of(1L));
        assertThat(buffer.payload().isReadOnly()).isTrue();
    }
}
