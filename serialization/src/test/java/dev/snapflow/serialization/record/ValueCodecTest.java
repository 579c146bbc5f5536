package dev.snapflow.serialization.record;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.util.ByteString;
import com.fasterxml.jackson.core.Version;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueCodecTest {

    private static ActorTestKit testKit;
    private static ValueCodec codec;

    public enum Level { LOW, HIGH }

    public record Measurement(String sensor, Level level, double value) {
    }

    /** Generic component: Jackson reads it back as a map, not as what was written. */
    public record Envelope(Object payload) {
    }

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
        codec = ValueCodec.create(testKit.system());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static List<Object> roundTrip(ValueCodec codec, List<Object> values) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        ValueCodec.Writer writer = codec.writer(out);
        for (Object value : values) {
            writer.write(value);
        }
        ValueCodec.Reader reader = codec.reader(new ByteBufferDataInput(ByteBuffer.wrap(out.toByteArray())), "test values");
        List<Object> back = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            back.add(reader.read());
        }
        return back;
    }

    @Test
    void when_values_are_built_in_types_then_they_read_back_with_their_exact_types() throws IOException {
        List<Object> values = List.of(1L, 2, "three", 4.5, true, (short) 6, (byte) 7, 8.5f, 'x',
                Tuple2.of(1L, 1), Tuple3.of("a", (short) 2, Tuple2.of(false, 'c')));

        List<Object> back = roundTrip(ValueCodec.builtInTypesOnly(), values);

        assertThat(back).isEqualTo(values);
        assertThat(back).extracting(Object::getClass).isEqualTo(values.stream().map(Object::getClass).toList());
        assertThat(((Tuple2<?, ?>) back.get(9)).f1()).isInstanceOf(Integer.class);
    }

    @Test
    void when_a_value_is_a_byte_array_then_its_contents_read_back() throws IOException {
        assertThat((byte[]) codec.fromBytes(codec.toBytes(new byte[]{1, 2, 3}), "bytes")).containsExactly(1, 2, 3);
    }

    @Test
    void when_values_are_user_records_and_enums_then_they_read_back_equal_with_no_configuration() throws IOException {
        List<Object> values = List.of(new Measurement("a", Level.LOW, 1.5), Level.HIGH,
                Tuple2.of(Level.LOW, new Measurement("b", Level.HIGH, 2)), new Measurement("c", Level.HIGH, 3));

        assertThat(roundTrip(codec, values)).isEqualTo(values);
    }

    @Test
    void when_a_class_repeats_in_a_stream_then_its_name_is_written_once() throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        ValueCodec.Writer writer = codec.writer(out);
        for (int i = 0; i < 10; i++) {
            writer.write(Level.values()[i % 2]);
        }

        String written = new String(out.toByteArray(), StandardCharsets.ISO_8859_1);
        assertThat(written.split(java.util.regex.Pattern.quote(Level.class.getName()), -1)).hasSize(2);
    }

    @Test
    void when_a_type_is_bound_to_an_akka_serializer_then_that_serializer_writes_it() throws IOException {
        ByteString bytes = ByteString.fromString("through Akka");

        assertThat(codec.fromBytes(codec.toBytes(bytes), "akka value")).isEqualTo(bytes);
    }

    @Test
    void when_a_record_does_not_read_back_equal_then_writing_it_fails_naming_the_type_and_the_fix() {
        assertThatThrownBy(() -> codec.toBytes(new Envelope(new Measurement("a", Level.LOW, 1))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(Envelope.class.getName())
                .hasMessageContaining("does not survive Jackson CBOR")
                .hasMessageContaining("akka.actor.serialization-bindings");
    }

    @Test
    void when_a_key_does_not_read_back_equal_then_the_round_trip_check_refuses_it() {
        assertThatThrownBy(() -> codec.checkRoundTrip(new Envelope(1L), "key"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("A key of " + Envelope.class.getName());
    }

    @Test
    void when_there_is_no_actor_system_then_a_user_type_is_refused_clearly() {
        assertThatThrownBy(() -> ValueCodec.builtInTypesOnly().toBytes(Level.LOW))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(Level.class.getName() + " need an actor system");
    }

    @Test
    void when_bytes_are_truncated_or_tampered_then_reading_fails_with_an_io_exception_naming_the_data() throws IOException {
        byte[] bytes = codec.toBytes(Tuple2.of(new Measurement("a", Level.LOW, 1), "tail"));

        for (int length = 0; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> codec.fromBytes(truncated, "state part 3")).isInstanceOf(IOException.class);
        }
        byte[] unknownTag = bytes.clone();
        unknownTag[0] = 99;
        assertThatThrownBy(() -> codec.fromBytes(unknownTag, "state part 3"))
                .isInstanceOf(IOException.class).hasMessage("state part 3 has an unknown value tag 99");
    }

    @Test
    void when_a_class_named_in_the_data_does_not_exist_then_reading_fails_naming_it() throws IOException {
        byte[] bytes = codec.toBytes(Level.LOW);
        String original = new String(bytes, StandardCharsets.ISO_8859_1);
        byte[] renamed = original.replace("ValueCodecTest$Level", "ValueCodecTest$Lever").getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> codec.fromBytes(renamed, "a key"))
                .isInstanceOf(IOException.class).hasMessageContaining("ValueCodecTest$Lever").hasMessageContaining("cannot be loaded");
    }

    @Test
    void when_an_enum_constant_is_gone_then_reading_fails_naming_it() throws IOException {
        byte[] bytes = codec.toBytes(Level.HIGH);
        byte[] renamed = new String(bytes, StandardCharsets.ISO_8859_1).replace("HIGH", "HUGE").getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> codec.fromBytes(renamed, "a key"))
                .isInstanceOf(IOException.class).hasMessageContaining("HUGE, which that enum no longer has");
    }

    @Test
    void when_the_classpath_has_a_jackson_older_than_2_12_then_snapflow_refuses_to_start_with_the_fix() {
        Version jackson211 = new Version(2, 11, 4, null, "com.fasterxml.jackson.core", "jackson-databind");

        assertThatThrownBy(() -> JacksonCompatibility.requireRecordSupport(jackson211))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2.11.4").hasMessageContaining("jackson-bom");
    }
}
