package dev.snapflow.serialization.event;

/**
 * Sent by a producer after its last buffer on a channel: that channel will deliver nothing more. A consumer whose channels have all ended is finished.
 *
 * <p>A singleton: it carries no data, and its wire form is the bare type tag.
 */
public enum EndOfPartitionEvent implements Event {
    INSTANCE;

    @Override
    public String toString() {
        return "EndOfPartitionEvent";
    }
}
