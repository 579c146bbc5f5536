package dev.snapflow.engine.runtime.subtask;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.SerializationExtension;
import akka.util.ByteString;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.serialization.record.Tuple2;
import dev.snapflow.serialization.record.Tuple3;
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
        codec = new InFlightCodec(SerializationExtension.get(Adapter.toClassic(testKit.system())));
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

    @Test
    void a_record_no_serializer_knows_is_refused_naming_its_class() {
        Object unknown = new Object();

        assertThatThrownBy(() -> codec.encode(List.of(batch(unknown))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("java.lang.Object")
                .hasMessageContaining("bind an Akka serializer");
    }

    @Test
    void damaged_bytes_fail_with_an_io_exception_naming_the_data() throws IOException {
        byte[] bytes = codec.encode(List.of(batch(1L, "two", Tuple2.of(3L, 4L))));

        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length - 5), "inflight/in/0"))
                .isInstanceOf(IOException.class);
        byte[] badTag = bytes.clone();
        badTag[4] = 42;
        assertThatThrownBy(() -> codec.decode(badTag, "inflight/in/0"))
                .isInstanceOf(IOException.class).hasMessageContaining("inflight/in/0").hasMessageContaining("unknown type tag 42");
    }
}
