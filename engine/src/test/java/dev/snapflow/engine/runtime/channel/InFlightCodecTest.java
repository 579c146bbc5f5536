package dev.snapflow.engine.runtime.channel;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.util.ByteString;
import dev.snapflow.serialization.record.Tuple2;
import dev.snapflow.serialization.record.Tuple3;
import dev.snapflow.serialization.record.ValueCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InFlightCodecTest {

    private static ActorTestKit testKit;
    private static InFlightCodec codec;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
        codec = new InFlightCodec(ValueCodec.create(testKit.system()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static RecordBatch batch(Object... records) {
        return new RecordBatch(records, records.length);
    }

    @Test
    void records_of_every_kind_round_trip_in_order_with_their_types() throws IOException {
        List<Object> records = List.of(7L, 7, "seven", 7.5, true, Tuple2.of(1L, "one"),
                Tuple3.of(2, Tuple2.of(3L, false), "three"), ByteString.fromString("through Akka"));

        List<Object> back = codec.decode(codec.encode(List.of(batch(records.subList(0, 3).toArray()),
                batch(records.subList(3, records.size()).toArray()))), "test");

        assertThat(back).isEqualTo(records);
        assertThat(back.get(0)).isInstanceOf(Long.class);
        assertThat(((Tuple3<?, ?, ?>) back.get(6)).f1()).isEqualTo(Tuple2.of(3L, false));
        byte[] bytes = (byte[]) codec.decode(codec.encode(List.of(batch((Object) new byte[]{1, 2, 3}))), "test").get(0);
        assertThat(bytes).containsExactly(1, 2, 3);
    }

    /** A user's record type with no configuration: Jackson CBOR writes it. */
    public record Reading(String sensor, long value) {
    }

    /** Jackson cannot read it back as it was: the component's type is not known when it reads. */
    public record Box(Object content) {
    }

    @Test
    void when_records_are_user_types_then_they_round_trip_with_no_configuration() throws IOException {
        List<Object> records = List.of(new Reading("a", 1), new Reading("b", 2), Tuple2.of(new Reading("c", 3), 4L));

        assertThat(codec.decode(codec.encode(List.of(batch(records.toArray()))), "test")).isEqualTo(records);
    }

    @Test
    void when_a_record_type_cannot_be_serialized_then_the_error_names_it_and_the_fix() {
        assertThatThrownBy(() -> codec.encode(List.of(batch(new Box(new Reading("a", 1))))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(Box.class.getName())
                .hasMessageContaining("does not survive Jackson CBOR")
                .hasMessageContaining("akka.actor.serialization-bindings");
    }

    @Test
    void damaged_bytes_fail_with_an_io_exception_naming_the_data() throws IOException {
        byte[] bytes = codec.encode(List.of(batch(1L, "two", Tuple2.of(3L, 4L))));

        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length - 5), "inflight/in/0"))
                .isInstanceOf(IOException.class);
        byte[] badTag = bytes.clone();
        badTag[4] = 42;
        assertThatThrownBy(() -> codec.decode(badTag, "inflight/in/0"))
                .isInstanceOf(IOException.class).hasMessageContaining("inflight/in/0").hasMessageContaining("unknown value tag 42");
    }

    @Test
    void when_records_are_encoded_in_parts_then_every_part_fits_and_they_decode_in_order() throws Exception {
        List<Object> records = new java.util.ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            records.add("record-" + i);
        }

        List<byte[]> parts = codec.encodeInParts(records, 4096);

        assertThat(parts.size()).isGreaterThan(5);
        List<Object> decoded = new java.util.ArrayList<>();
        for (byte[] part : parts) {
            assertThat(part.length).isLessThanOrEqualTo(4096);
            decoded.addAll(codec.decode(part, "a part"));
        }
        assertThat(decoded).isEqualTo(records);
    }

    @Test
    void when_one_record_alone_exceeds_a_part_then_encoding_in_parts_says_so() {
        assertThatThrownBy(() -> codec.encodeInParts(List.of("x".repeat(10_000)), 4096))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("java.lang.String")
                .hasMessageContaining("maximum-frame-size");
    }
}
