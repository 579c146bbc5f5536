package dev.snapflow.serialization.event;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class EventSerializerProperties {

    private static final EventAllowList GREETINGS = EventAllowList.ofClasses(TestUserEvents.Greeting.class);

    @Provide
    Arbitrary<Event> events() {
        return Events.events();
    }

    @Property(tries = 2000)
    void any_event_round_trips(@ForAll("events") Event event) throws IOException {
        ByteBuffer bytes = EventSerializer.toSerializedEvent(event);

        Event decoded = EventSerializer.fromSerializedEvent(bytes, getClass().getClassLoader(), GREETINGS);

        assertThat(decoded).isEqualTo(event);
        assertThat(bytes.hasRemaining()).isFalse();
    }

    @Property(tries = 500)
    void any_event_with_trailing_bytes_round_trips_and_leaves_them(
            @ForAll("events") Event event, @ForAll byte[] trailing) throws IOException {
        ByteBuffer exact = EventSerializer.toSerializedEvent(event);
        ByteBuffer padded = ByteBuffer.allocate(exact.remaining() + trailing.length).put(exact).put(trailing).flip();

        Event decoded = EventSerializer.fromSerializedEvent(padded, getClass().getClassLoader(), GREETINGS);

        assertThat(decoded).isEqualTo(event);
        assertThat(padded.remaining()).isEqualTo(trailing.length);
    }

    @Property(tries = 500)
    void every_proper_prefix_of_an_event_fails_cleanly(@ForAll("events") Event event) throws IOException {
        ByteBuffer exact = EventSerializer.toSerializedEvent(event);
        for (int length = 0; length < exact.limit(); length++) {
            ByteBuffer prefix = ByteBuffer.wrap(exact.array(), 0, length);
            try {
                Event decoded = EventSerializer.fromSerializedEvent(prefix, getClass().getClassLoader(), GREETINGS);
                // Only a user event whose own payload is empty may decode from a shorter input.
                assertThat(decoded).isNotEqualTo(event);
            } catch (IOException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
