package dev.snapflow.serialization.akka;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import dev.snapflow.serialization.record.Tuple2;
import dev.snapflow.serialization.record.Tuple3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.NotSerializableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TupleSerializerTest {

    private static ActorTestKit testKit;
    private static Serialization serialization;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
        serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static Object roundTrip(Object tuple) {
        Serializer serializer = serialization.findSerializerFor(tuple);
        assertThat(serializer).isInstanceOf(TupleSerializer.class);
        byte[] bytes = serializer.toBinary(tuple);
        return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, tuple)).get();
    }

    @Test
    void tuples_round_trip_with_the_types_of_their_fields() {
        Tuple2<Long, String> pair = Tuple2.of(7L, "seven");
        Tuple3<Integer, Tuple2<Long, String>, byte[]> triple = Tuple3.of(3, pair, new byte[]{1, 2});

        assertThat(roundTrip(pair)).isEqualTo(pair);
        @SuppressWarnings("unchecked")
        Tuple3<Integer, Tuple2<Long, String>, byte[]> back = (Tuple3<Integer, Tuple2<Long, String>, byte[]>) roundTrip(triple);
        assertThat(back.f0()).isEqualTo(3);
        assertThat(back.f1().f0()).isInstanceOf(Long.class).isEqualTo(7L);
        assertThat(back.f2()).containsExactly(1, 2);
    }

    @Test
    void damaged_bytes_and_unknown_manifests_are_refused_clearly() {
        TupleSerializer serializer = (TupleSerializer) serialization.findSerializerFor(Tuple2.of(1L, 2L));
        byte[] bytes = serializer.toBinary(Tuple2.of(1L, 2L));

        assertThatThrownBy(() -> serializer.fromBinary(java.util.Arrays.copyOf(bytes, bytes.length - 3), "2"))
                .isInstanceOf(NotSerializableException.class).hasMessageContaining("damaged");
        assertThatThrownBy(() -> serializer.fromBinary(bytes, "9"))
                .isInstanceOf(NotSerializableException.class).hasMessageContaining("Unknown tuple manifest '9'");
    }
}
