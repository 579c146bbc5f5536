package dev.snapflow.engine.runtime.channel;

import dev.snapflow.serialization.event.Event;

import java.util.Objects;

/**
 * An event in a channel.
 *
 * @param event    the event
 * @param priority true if it overtakes the data queued before it (an unaligned barrier)
 */
public record EventItem(Event event, boolean priority) implements ChannelItem {
    public EventItem {
        Objects.requireNonNull(event, "event");
    }

    @Override
    public boolean isData() {
        return false;
    }
}
