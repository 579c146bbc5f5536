package dev.snapflow.serialization.event;

import java.util.Objects;

/**
 * Sent by a producer after its last user record: no more records follow on this channel, though
 * a final checkpoint barrier and then {@link EndOfPartitionEvent} still may.
 *
 * @param stopMode whether downstream operators should drain (finish) or just stop
 */
public record EndOfData(StopMode stopMode) implements Event {
    public EndOfData {
        Objects.requireNonNull(stopMode, "stopMode");
    }
}
