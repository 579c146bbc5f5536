package dev.snapflow.serialization.event;

/**
 * Follows the in-flight buffers a channel replays when it is restored from an unaligned checkpoint: after it, live data begins.
 *
 * <p>A singleton: it carries no data, and its wire form is the bare type tag.
 */
public enum EndOfChannelStateEvent implements Event {
    INSTANCE;

    @Override
    public String toString() {
        return "EndOfChannelStateEvent";
    }
}
