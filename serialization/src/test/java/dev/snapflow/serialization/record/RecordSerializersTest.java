package dev.snapflow.serialization.record;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.serialization.buffer.Buffer;
import dev.snapflow.serialization.buffer.RecordBatchBuilder;
import dev.snapflow.serialization.buffer.RecordBatchReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecordSerializersTest {

    /** A one-component record: Jackson 2.11, which Akka 2.6 brings, cannot read this back. */
    public record WordSeen(String word) {
    }

    public record Reading(String sensor, double value, Instant at, List<Integer> flags) {
    }

    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    private static <T> List<T> roundTrip(RecordSerializer<T> serializer, List<T> records) throws IOException {
        RecordBatchBuilder<T> builder = new RecordBatchBuilder<>(serializer, 1 << 15);
        for (T record : records) {
            builder.add(record);
        }
        Buffer buffer = builder.finish();
        return RecordBatchReader.readAll(buffer, serializer);
    }

    @Test
    void when_primitives_round_trip_then_extremes_survive() throws IOException {
        assertThat(roundTrip(RecordSerializers.longs(), List.of(Long.MIN_VALUE, 0L, Long.MAX_VALUE)))
                .containsExactly(Long.MIN_VALUE, 0L, Long.MAX_VALUE);
        assertThat(roundTrip(RecordSerializers.ints(), List.of(Integer.MIN_VALUE, -1, Integer.MAX_VALUE)))
                .containsExactly(Integer.MIN_VALUE, -1, Integer.MAX_VALUE);
        assertThat(roundTrip(RecordSerializers.doubles(), List.of(Double.NaN, -0.0, Double.MAX_VALUE)))
                .containsExactly(Double.NaN, -0.0, Double.MAX_VALUE);
    }

    @Test
    void when_strings_round_trip_then_unicode_and_long_strings_survive() throws IOException {
        String longString = "x".repeat(100_000);

        assertThat(roundTrip(RecordSerializers.strings(), List.of("", "héllo wörld ✓ 𝄞", longString)))
                .containsExactly("", "héllo wörld ✓ 𝄞", longString);
    }

    @Test
    void when_byte_arrays_and_tuples_round_trip_then_they_are_equal() throws IOException {
        List<byte[]> arrays = roundTrip(RecordSerializers.byteArrays(), List.of(new byte[0], new byte[] {1, 2, 3}));
        assertThat(arrays.get(0)).isEmpty();
        assertThat(arrays.get(1)).containsExactly(1, 2, 3);

        RecordSerializer<Tuple2<String, Long>> pairs = RecordSerializers.tuple2(RecordSerializers.strings(), RecordSerializers.longs());
        assertThat(roundTrip(pairs, List.of(Tuple2.of("a", 1L), Tuple2.of("b", 2L))))
                .containsExactly(Tuple2.of("a", 1L), Tuple2.of("b", 2L));
    }

    @Test
    void when_a_user_type_goes_through_akka_jackson_cbor_then_it_round_trips() throws IOException {
        RecordSerializer<WordSeen> words = RecordSerializers.jackson(WordSeen.class, testKit.system());
        RecordSerializer<Reading> readings = RecordSerializers.jackson(Reading.class, testKit.system());
        Reading reading = new Reading("s1", 21.5, Instant.parse("2026-11-24T10:15:30Z"), List.of(1, 2));

        assertThat(roundTrip(words, List.of(new WordSeen("snap"), new WordSeen("flow"))))
                .containsExactly(new WordSeen("snap"), new WordSeen("flow"));
        assertThat(roundTrip(readings, List.of(reading))).containsExactly(reading);
    }
}
