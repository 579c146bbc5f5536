package dev.snapflow.serialization.event;

/**
 * Marks the end of one superstep of an iterative computation. Kept for wire compatibility with Flink's tag 2; Snapflow's runtime does not run iterations.
 *
 * <p>A singleton: it carries no data, and its wire form is the bare type tag.
 */
public enum EndOfSuperstepEvent implements Event {
    INSTANCE;

    @Override
    public String toString() {
        return "EndOfSuperstepEvent";
    }
}
