package dev.snapflow.serialization.akka;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.SerializationTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.ConfigFactory;
import dev.snapflow.serialization.buffer.Buffer;
import dev.snapflow.serialization.buffer.RecordBatchBuilder;
import dev.snapflow.serialization.event.CancelCheckpointMarker;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.CheckpointOptions;
import dev.snapflow.serialization.event.CheckpointStorageLocationReference;
import dev.snapflow.serialization.event.CheckpointType;
import dev.snapflow.serialization.event.ChannelUnavailableEvent;
import dev.snapflow.serialization.event.EndOfChannelStateEvent;
import dev.snapflow.serialization.event.EndOfData;
import dev.snapflow.serialization.event.EndOfPartitionEvent;
import dev.snapflow.serialization.event.EndOfSegmentEvent;
import dev.snapflow.serialization.event.EndOfSuperstepEvent;
import dev.snapflow.serialization.event.Event;
import dev.snapflow.serialization.event.EventAnnouncement;
import dev.snapflow.serialization.event.RecoveryMetadata;
import dev.snapflow.serialization.event.SavepointFormatType;
import dev.snapflow.serialization.event.SavepointType;
import dev.snapflow.serialization.event.StopMode;
import dev.snapflow.serialization.event.SubtaskConnectionDescriptor;
import dev.snapflow.serialization.event.TestUserEvents;
import dev.snapflow.serialization.record.RecordSerializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Events and buffers cross Akka serialization unchanged, through Snapflow's own serializer. */
class SnapflowBinarySerializerTest {

    /** A control message with one component, the case Jackson 2.11 could not read back. */
    public record Ping(long sequence) implements CborSerializable {
    }

    private static ActorTestKit testKit;
    private static SerializationTestKit serializationTestKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create(ConfigFactory.parseString(
                "snapflow.serialization.allowed-event-classes = [\"" + TestUserEvents.Greeting.class.getName() + "\"]")
                .withFallback(ConfigFactory.load()));
        serializationTestKit = new SerializationTestKit(testKit.system());
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    static List<Event> everyEventKind() {
        CheckpointBarrier barrier = new CheckpointBarrier(3, 1234, CheckpointOptions.alignedWithTimeout(
                CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.DEFAULT, 50));
        return List.of(
                EndOfPartitionEvent.INSTANCE,
                barrier,
                new CheckpointBarrier(4, 99, CheckpointOptions.aligned(SavepointType.terminate(SavepointFormatType.NATIVE),
                        CheckpointStorageLocationReference.of(new byte[] {7, 8}))),
                EndOfSuperstepEvent.INSTANCE,
                new CancelCheckpointMarker(3),
                EndOfChannelStateEvent.INSTANCE,
                new EventAnnouncement(barrier, 12),
                new SubtaskConnectionDescriptor(1, 2),
                new ChannelUnavailableEvent(4),
                new EndOfData(StopMode.NO_DRAIN),
                EndOfSegmentEvent.INSTANCE,
                new RecoveryMetadata(2),
                new TestUserEvents.Greeting("over the wire"));
    }

    @Test
    void when_every_event_kind_is_serialized_by_akka_then_it_comes_back_equal_through_our_serializer() {
        Serialization serialization = SerializationExtension.get(testKit.system());
        List<Class<?>> covered = new ArrayList<>();
        for (Event event : everyEventKind()) {
            Serializer serializer = serialization.findSerializerFor(event);
            assertThat(serializer).as(event.toString()).isInstanceOf(SnapflowBinarySerializer.class);
            serializationTestKit.verifySerialization(event, true);
            covered.add(event.getClass());
        }
        assertThat(covered).containsAll(List.of(Event.class.getPermittedSubclasses()).stream()
                .filter(c -> !c.isInterface() && !java.lang.reflect.Modifier.isAbstract(c.getModifiers()))
                .toList());
    }

    @Test
    void when_buffers_are_serialized_by_akka_then_they_come_back_equal() throws IOException {
        RecordBatchBuilder<String> builder = new RecordBatchBuilder<>(RecordSerializers.strings(), 1024);
        builder.add("snap");
        builder.add("flow");

        for (Buffer buffer : List.of(builder.finish(), Buffer.forEvent(new CancelCheckpointMarker(9), true))) {
            assertThat(SerializationExtension.get(testKit.system()).findSerializerFor(buffer))
                    .isInstanceOf(SnapflowBinarySerializer.class);
            serializationTestKit.verifySerialization(buffer, true);
        }
    }

    @Test
    void when_a_control_message_is_cbor_serializable_then_jackson_reads_a_one_field_record_back() {
        Ping ping = new Ping(42);

        Serializer serializer = SerializationExtension.get(testKit.system()).findSerializerFor(ping);

        assertThat(serializer.getClass().getSimpleName()).isEqualTo("JacksonCborSerializer");
        assertThat(serializationTestKit.verifySerialization(ping, true)).isEqualTo(ping);
    }

    @Test
    void when_bytes_are_corrupt_then_akka_gets_a_not_serializable_exception_that_says_why() {
        Serialization serialization = SerializationExtension.get(testKit.system());

        assertThatThrownBy(() -> serialization.deserialize(new byte[] {0, 0, 0, 77}, SnapflowBinarySerializer.IDENTIFIER, "E").get())
                .isInstanceOf(NotSerializableException.class)
                .hasMessage("Corrupt byte stream for event: unknown type tag 77");
        assertThatThrownBy(() -> serialization.deserialize(new byte[] {1, 0, 0, 0, 9}, SnapflowBinarySerializer.IDENTIFIER, "B").get())
                .isInstanceOf(NotSerializableException.class)
                .hasMessage("Corrupt data buffer: record 0 claims 9 bytes but 0 remain");
        assertThatThrownBy(() -> serialization.deserialize(new byte[0], SnapflowBinarySerializer.IDENTIFIER, "X").get())
                .isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("Unknown manifest 'X'");
    }

    @Test
    void when_the_manifest_is_asked_then_events_and_buffers_differ() throws IOException {
        Serializer serializer = SerializationExtension.get(testKit.system()).serializerFor(Event.class);
        assertThat(Serializers.manifestFor(serializer, EndOfPartitionEvent.INSTANCE)).isEqualTo("E");
        assertThat(Serializers.manifestFor(serializer, Buffer.forEvent(EndOfPartitionEvent.INSTANCE, false))).isEqualTo("B");
    }

    @Test
    void when_allow_list_setting_holds_a_bad_name_then_settings_name_the_key() {
        assertThatThrownBy(() -> SerializationSettings.create(ConfigFactory.parseString(
                "snapflow.serialization.allowed-event-classes = [\"no spaces allowed\"]")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("snapflow.serialization.allowed-event-classes: 'no spaces allowed' is not a binary class name");
    }

    @Test
    void when_allow_list_setting_is_not_a_list_then_settings_name_the_key() {
        assertThatThrownBy(() -> SerializationSettings.create(ConfigFactory.parseString(
                "snapflow.serialization.allowed-event-classes = 5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("snapflow.serialization.allowed-event-classes: ");
    }
}
