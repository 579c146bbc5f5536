package dev.snapflow.serialization.event;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input gives an IOException that says what is wrong, and nothing else. */
class EventSerializerErrorsTest {

    private static final String BARRIER_HEAD = "00000001" + "000000000000002A" + "0000018BCFE56800";

    private static Event decode(String hex) throws IOException {
        return EventSerializer.fromSerializedEvent(ByteBuffer.wrap(HexFormat.of().parseHex(hex.toLowerCase())),
                EventSerializerErrorsTest.class.getClassLoader());
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
            "''                                            | Incomplete event",
            "000000                                        | Incomplete event",
            "0000004D                                      | Corrupt byte stream for event: unknown type tag 77",
            "FFFFFFFF                                      | Corrupt byte stream for event: unknown type tag -1",
            "0000000B                                      | Corrupt byte stream for event: unknown type tag 11",
            "00000004000000                                | Truncated cancel checkpoint marker",
            "00000004FFFFFFFFFFFFFFFF                      | Corrupt cancel checkpoint marker: checkpointId must be >= 0",
            "0000000700000001                              | Truncated subtask connection descriptor",
            "00000007FFFFFFFF00000001                      | Corrupt subtask connection descriptor",
            "00000008                                      | Truncated end-of-data event",
            "0000000802                                    | Corrupt end-of-data event: unknown stop mode code 2",
            "0000000A0000                                  | Truncated recovery metadata event",
            "00000040                                      | Truncated channel-unavailable event",
            "00000040FFFFFFFF                              | Corrupt channel-unavailable event",
            "00000006000000070000                          | Incomplete event",
            "000000060000000700000006000000010000000000000000 | Corrupt event announcement: an announcement cannot announce another announcement",
            "0000000600000007000000FF                      | Corrupt byte stream for event: unknown type tag 255",
            "00000003                                      | Truncated user event",
            "00000003FFFF                                  | Truncated user event",
            "000000030003C0C0C0                            | Corrupt user event: the class name is not valid modified UTF-8",
    })
    void when_input_is_bad_then_an_io_exception_says_what(String hex, String message) {
        assertThatThrownBy(() -> decode(hex.trim()))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageContaining(message.trim());
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
            "''                                       | Truncated checkpoint barrier",
            "05                                       | unknown checkpoint type code 5",
            "FF                                       | unknown checkpoint type code -1",
            "01                                       | Truncated checkpoint barrier",
            "0102                                     | unknown savepoint format type code 2",
            "00FFFFFFFE                               | location reference length -2",
            "0000000000                               | location reference length 0",
            "007FFFFFFF                               | the location reference needs 2147483647 bytes but only 0 remain",
            "0000000010AB                             | the location reference needs 16 bytes but only 1 remain",
            "00FFFFFFFF04                             | unknown alignment type code 4",
            "00FFFFFFFFFF                             | unknown alignment type code 255",
            "00FFFFFFFF01000000                       | Truncated checkpoint barrier",
            "0100FFFFFFFF027FFFFFFFFFFFFFFF           | A savepoint cannot be unaligned",
            "0100FFFFFFFF010000000000000064           | A savepoint cannot have an aligned-checkpoint timeout",
            "00FFFFFFFF020000000000000064             | An UNALIGNED checkpoint cannot have an aligned-checkpoint timeout",
            "00FFFFFFFF000000000000000064             | An AT_LEAST_ONCE checkpoint cannot have an aligned-checkpoint timeout",
            "00FFFFFFFF01FFFFFFFFFFFFFFFF             | The aligned-checkpoint timeout must be >= 0 ms",
    })
    void when_barrier_payload_is_bad_then_an_io_exception_says_what(String tail, String message) {
        assertThatThrownBy(() -> decode(BARRIER_HEAD + tail.trim()))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageContaining(message.trim());
    }

    @Test
    void when_barrier_id_is_negative_then_decoding_fails() {
        String bytes = "00000001" + "FFFFFFFFFFFFFFFF" + "0000018BCFE56800" + "00FFFFFFFF017FFFFFFFFFFFFFFF";
        assertThatThrownBy(() -> decode(bytes))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("Corrupt checkpoint barrier: Checkpoint id must be >= 0, was -1");
    }

    @Test
    void when_buffer_is_little_endian_then_it_is_read_big_endian_and_its_order_restored() throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(HexFormat.of().parseHex("00000004000000000000002a")).order(ByteOrder.LITTLE_ENDIAN);

        Event event = EventSerializer.fromSerializedEvent(buffer, getClass().getClassLoader());

        assertThat(event).isEqualTo(new CancelCheckpointMarker(42));
        assertThat(buffer.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void when_decoding_fails_then_the_byte_order_is_restored_too() {
        ByteBuffer buffer = ByteBuffer.wrap(HexFormat.of().parseHex("00000004")).order(ByteOrder.LITTLE_ENDIAN);

        assertThatThrownBy(() -> EventSerializer.fromSerializedEvent(buffer, getClass().getClassLoader()))
                .isInstanceOf(IOException.class);
        assertThat(buffer.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void when_a_flink_barrier_carries_allocation_padding_then_it_decodes() throws IOException {
        // Flink allocates 38 + len bytes for a barrier and writes 34: the last 4 are zeros.
        String flinkBarrier = BARRIER_HEAD + "00FFFFFFFF017FFFFFFFFFFFFFFF" + "00000000";

        assertThat(decode(flinkBarrier)).isEqualTo(new CheckpointBarrier(42, 1_700_000_000_000L,
                CheckpointOptions.forCheckpointWithDefaultLocation()));
    }

    @Test
    void when_an_announcement_is_built_around_an_announcement_then_it_is_refused() {
        EventAnnouncement inner = new EventAnnouncement(EndOfPartitionEvent.INSTANCE, 1);

        assertThatThrownBy(() -> new EventAnnouncement(inner, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("An announcement cannot announce another announcement");
    }
}
