package dev.snapflow.serialization.event;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every event kind against bytes written out by hand from the layouts in
 * {@code wire-format.md} (Flink 1.20's for tags 0–10), in both directions.
 */
class EventSerializerGoldenBytesTest {

    private static final long ID = 42;                  // 00 00 00 00 00 00 00 2A
    private static final long TIMESTAMP = 1_700_000_000_000L; // 00 00 01 8B CF E5 68 00
    private static final String ID_TS = "000000000000002A" + "0000018BCFE56800";
    private static final String DEFAULT_LOCATION = "FFFFFFFF";
    private static final String NO_TIMEOUT = "7FFFFFFFFFFFFFFF";

    static Stream<Arguments> goldenEvents() {
        CheckpointStorageLocationReference ab = CheckpointStorageLocationReference.of(new byte[] {'a', 'b'});
        CheckpointBarrier timeoutable = new CheckpointBarrier(ID, TIMESTAMP, CheckpointOptions.alignedWithTimeout(
                CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.DEFAULT, 3000));
        String timeoutableBytes = "00000001" + ID_TS + "00" + DEFAULT_LOCATION + "01" + "0000000000000BB8";
        return Stream.of(
                Arguments.of(EndOfPartitionEvent.INSTANCE, "00000000"),
                Arguments.of(EndOfSuperstepEvent.INSTANCE, "00000002"),
                Arguments.of(EndOfChannelStateEvent.INSTANCE, "00000005"),
                Arguments.of(EndOfSegmentEvent.INSTANCE, "00000009"),
                // checkpoint, default location, aligned, no timeout: 34 bytes
                Arguments.of(new CheckpointBarrier(ID, TIMESTAMP, CheckpointOptions.forCheckpointWithDefaultLocation()),
                        "00000001" + ID_TS + "00" + DEFAULT_LOCATION + "01" + NO_TIMEOUT),
                // savepoint (canonical), default location: the format byte follows the type: 35 bytes
                Arguments.of(new CheckpointBarrier(ID, TIMESTAMP, CheckpointOptions.aligned(
                                SavepointType.savepoint(SavepointFormatType.CANONICAL), CheckpointStorageLocationReference.DEFAULT)),
                        "00000001" + ID_TS + "01" + "00" + DEFAULT_LOCATION + "01" + NO_TIMEOUT),
                Arguments.of(new CheckpointBarrier(ID, TIMESTAMP, CheckpointOptions.aligned(
                                SavepointType.suspend(SavepointFormatType.CANONICAL), CheckpointStorageLocationReference.DEFAULT)),
                        "00000001" + ID_TS + "02" + "00" + DEFAULT_LOCATION + "01" + NO_TIMEOUT),
                // terminate, native format, location "ab"
                Arguments.of(new CheckpointBarrier(ID, TIMESTAMP, CheckpointOptions.aligned(
                                SavepointType.terminate(SavepointFormatType.NATIVE), ab)),
                        "00000001" + ID_TS + "03" + "01" + "00000002" + "6162" + "01" + NO_TIMEOUT),
                Arguments.of(new CheckpointBarrier(ID, TIMESTAMP, CheckpointOptions.unaligned(
                                CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.DEFAULT)),
                        "00000001" + ID_TS + "00" + DEFAULT_LOCATION + "02" + NO_TIMEOUT),
                Arguments.of(timeoutable, timeoutableBytes),
                Arguments.of(new CheckpointBarrier(ID, TIMESTAMP, CheckpointOptions.atLeastOnce(
                                CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.DEFAULT)),
                        "00000001" + ID_TS + "00" + DEFAULT_LOCATION + "00" + NO_TIMEOUT),
                // full checkpoint, forced aligned with a 100 ms timeout kept for later
                Arguments.of(new CheckpointBarrier(ID, TIMESTAMP, new CheckpointOptions(CheckpointType.FULL_CHECKPOINT,
                                CheckpointStorageLocationReference.DEFAULT, AlignmentType.FORCED_ALIGNED, 100)),
                        "00000001" + ID_TS + "04" + DEFAULT_LOCATION + "03" + "0000000000000064"),
                Arguments.of(new CancelCheckpointMarker(ID), "00000004" + "000000000000002A"),
                Arguments.of(new EventAnnouncement(timeoutable, 7), "00000006" + "00000007" + timeoutableBytes),
                Arguments.of(new SubtaskConnectionDescriptor(23, 42), "00000007" + "00000017" + "0000002A"),
                Arguments.of(new EndOfData(StopMode.DRAIN), "00000008" + "00"),
                Arguments.of(new EndOfData(StopMode.NO_DRAIN), "00000008" + "01"),
                Arguments.of(new RecoveryMetadata(3), "0000000A" + "00000003"),
                Arguments.of(new ChannelUnavailableEvent(5), "00000040" + "00000005"),
                // tag 3, modified UTF-8 class name (2-byte length 56), then the event's own write(): writeUTF("hi")
                Arguments.of(new TestUserEvents.Greeting("hi"), "00000003" + "0038"
                        + HexFormat.of().formatHex("dev.snapflow.serialization.event.TestUserEvents$Greeting".getBytes())
                        + "0002" + "6869"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenEvents")
    void when_event_is_serialized_then_bytes_match_the_reference_layout(Event event, String hex) throws IOException {
        ByteBuffer serialized = EventSerializer.toSerializedEvent(event);

        assertThat(HexFormat.of().withUpperCase().formatHex(serialized.array(), serialized.position(), serialized.limit()))
                .isEqualTo(hex.toUpperCase());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenEvents")
    void when_reference_bytes_are_decoded_then_the_event_is_equal(Event event, String hex) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(HexFormat.of().parseHex(hex.toLowerCase()));

        Event decoded = EventSerializer.fromSerializedEvent(bytes, getClass().getClassLoader(),
                EventAllowList.ofClasses(TestUserEvents.Greeting.class));

        assertThat(decoded).isEqualTo(event);
        assertThat(bytes.hasRemaining()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenEvents")
    void when_reference_bytes_carry_padding_then_the_padding_is_ignored(Event event, String hex) throws IOException {
        ByteBuffer padded = ByteBuffer.wrap(HexFormat.of().parseHex(hex.toLowerCase() + "00000000"));

        Event decoded = EventSerializer.fromSerializedEvent(padded, getClass().getClassLoader(),
                EventAllowList.ofClasses(TestUserEvents.Greeting.class));

        assertThat(decoded).isEqualTo(event);
        assertThat(padded.remaining()).isEqualTo(4);
    }
}
