package dev.snapflow.serialization.event;

/**
 * Marks the end of a segment in Flink's hybrid-shuffle tiered storage. Kept for wire compatibility with Flink's tag 9.
 *
 * <p>A singleton: it carries no data, and its wire form is the bare type tag.
 */
public enum EndOfSegmentEvent implements Event {
    INSTANCE;

    @Override
    public String toString() {
        return "EndOfSegmentEvent";
    }
}
