package dev.snapflow.serialization.event;

import java.util.Objects;

/**
 * Announces, as a priority event, an event that is still queued behind data in the same channel,
 * so that the consumer can act on it early: an aligned barrier with a timeout is announced so that
 * the consumer can switch to an unaligned checkpoint and pull the barrier forward.
 *
 * @param announcedEvent the queued event; never itself an announcement
 * @param sequenceNumber the channel sequence number of the queued event, used to find it again
 */
public record EventAnnouncement(Event announcedEvent, int sequenceNumber) implements Event {
    public EventAnnouncement {
        Objects.requireNonNull(announcedEvent, "announcedEvent");
        if (announcedEvent instanceof EventAnnouncement) {
            throw new IllegalArgumentException("An announcement cannot announce another announcement");
        }
    }
}
