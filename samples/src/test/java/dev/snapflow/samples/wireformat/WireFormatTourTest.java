package dev.snapflow.samples.wireformat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.serialization.event.Event;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class WireFormatTourTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @Test
    void when_the_tour_runs_then_every_event_kind_round_trips_and_the_result_line_says_so() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        boolean ok = WireFormatTour.run(testKit.system(), new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(ok).isTrue();
        assertThat(output).contains("CheckpointBarrier                   34 00000001 | ");
        assertThat(output).contains("ChannelUnavailableEvent              8 00000040 | 00000001");
        assertThat(output).contains("refused: Event class 'java.lang.Runtime' is not on the event allow-list");
        assertThat(output.lines().reduce((a, b) -> b).orElseThrow()).isEqualTo(
                "RESULT sample=wireformat events=13 events_round_trip_equal=13 buffer_records=3 all_round_trips_equal=true");
    }

    @Test
    void when_the_tour_lists_events_then_it_covers_every_built_in_kind() {
        Set<Class<?>> shown = WireFormatTour.everyEventKind().stream().map(Object::getClass).collect(Collectors.toSet());
        List<Class<?>> builtIn = List.of(Event.class.getPermittedSubclasses()).stream()
                .filter(c -> !java.lang.reflect.Modifier.isAbstract(c.getModifiers()))
                .toList();

        assertThat(shown).containsAll(builtIn);
    }
}
