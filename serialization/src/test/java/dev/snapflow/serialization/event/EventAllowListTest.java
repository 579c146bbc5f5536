package dev.snapflow.serialization.event;

import dev.snapflow.serialization.io.ByteArrayDataOutput;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A user event's class is instantiated only if it is allow-listed and really an event. */
class EventAllowListTest {

    private static ByteBuffer userEventNaming(String className) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        out.writeInt(EventSerializer.OTHER_EVENT);
        out.writeUTF(className);
        return ByteBuffer.wrap(out.toByteArray());
    }

    private static Event decode(ByteBuffer bytes, EventAllowList allowList) throws IOException {
        return EventSerializer.fromSerializedEvent(bytes, EventAllowListTest.class.getClassLoader(), allowList);
    }

    @Test
    void when_class_is_not_allow_listed_then_it_is_refused_before_loading() throws IOException {
        String name = TestUserEvents.class.getName() + "$UnlistedEvent";

        assertThatThrownBy(() -> decode(userEventNaming(name), EventAllowList.ofClasses(TestUserEvents.Greeting.class)))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("Event class '" + name + "' is not on the event allow-list"
                        + " (snapflow.serialization.allowed-event-classes); refusing to load it");
        assertThat(TestUserEvents.INITIALIZED).doesNotContain("UnlistedEvent");
    }

    @Test
    void when_default_decoder_sees_a_user_event_then_it_is_refused() throws IOException {
        ByteBuffer bytes = EventSerializer.toSerializedEvent(new TestUserEvents.Greeting("hello"));

        assertThatThrownBy(() -> EventSerializer.fromSerializedEvent(bytes, getClass().getClassLoader()))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageContaining("is not on the event allow-list");
    }

    @Test
    void when_allow_listed_class_is_not_an_event_then_it_is_refused_without_initializing_it() throws IOException {
        String name = TestUserEvents.class.getName() + "$NotAnEvent";

        assertThatThrownBy(() -> decode(userEventNaming(name), EventAllowList.of(List.of(name))))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("The class '" + name + "' is not a valid subclass of " + UserEvent.class.getName());
        assertThat(TestUserEvents.INITIALIZED).doesNotContain("NotAnEvent");
    }

    @Test
    void when_allow_listed_event_is_decoded_then_its_initializer_runs() throws IOException {
        String name = TestUserEvents.class.getName() + "$ListedEventWithInitializer";

        Event event = decode(userEventNaming(name), EventAllowList.of(List.of(name)));

        assertThat(event).isInstanceOf(TestUserEvents.ListedEventWithInitializer.class);
        assertThat(TestUserEvents.INITIALIZED).contains("ListedEventWithInitializer");
    }

    @Test
    void when_allow_listed_class_does_not_exist_then_loading_fails_clearly() throws IOException {
        String name = "com.example.Missing";

        assertThatThrownBy(() -> decode(userEventNaming(name), EventAllowList.of(List.of(name))))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("Could not load event class 'com.example.Missing'");
    }

    @Test
    void when_allow_listed_event_has_no_default_constructor_then_it_is_refused() throws IOException {
        String name = TestUserEvents.class.getName() + "$NoDefaultConstructor";

        assertThatThrownBy(() -> decode(userEventNaming(name), EventAllowList.of(List.of(name))))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageContaining("needs a public no-argument constructor");
    }

    @Test
    void when_the_abstract_base_is_allow_listed_then_it_is_refused() throws IOException {
        String name = UserEvent.class.getName();

        assertThatThrownBy(() -> decode(userEventNaming(name), EventAllowList.of(List.of(name))))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("The event class '" + name + "' is abstract");
    }

    @Test
    void when_user_event_read_throws_then_the_failure_is_an_io_exception() throws IOException {
        String name = TestUserEvents.class.getName() + "$ThrowingOnRead";

        assertThatThrownBy(() -> decode(userEventNaming(name), EventAllowList.of(List.of(name))))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("Error while deserializing event of class '" + name + "': broken event");
    }

    @Test
    void when_user_event_payload_is_truncated_then_the_failure_is_an_io_exception() throws IOException {
        ByteBuffer full = EventSerializer.toSerializedEvent(new TestUserEvents.Greeting("hello"));
        ByteBuffer truncated = ByteBuffer.wrap(full.array(), 0, full.limit() - 2);

        assertThatThrownBy(() -> decode(truncated, EventAllowList.ofClasses(TestUserEvents.Greeting.class)))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageContaining("Error while deserializing event of class");
    }

    @Test
    void when_a_name_is_not_a_class_name_then_the_list_is_refused() {
        assertThatThrownBy(() -> EventAllowList.of(List.of("com.example.Good", "not a class")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'not a class' is not a binary class name (like com.example.MyEvent)");
    }
}
