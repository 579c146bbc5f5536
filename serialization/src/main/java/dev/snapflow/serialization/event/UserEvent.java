package dev.snapflow.serialization.event;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Base class of events that users define themselves (Flink's "other event" path).
 *
 * <p>On the wire such an event is its class name followed by whatever {@link #write} produces. A
 * receiver decodes it only if the class name is on its {@link EventAllowList}; it then creates the
 * event with the class's public no-argument constructor and calls {@link #read} exactly once on
 * the fresh instance. Subclasses must therefore be public, concrete, top-level or static nested,
 * with a public no-argument constructor, and should treat the fields that {@code read} sets as
 * final afterwards. They must implement {@code equals} and {@code hashCode} if events are compared.
 */
public non-sealed abstract class UserEvent implements Event {

    /** Writes this event's fields; the class name is written by {@link EventSerializer}. */
    public abstract void write(DataOutput out) throws IOException;

    /**
     * Reads the fields written by {@link #write}. The input throws {@link java.io.EOFException}
     * rather than read past the end of the event's bytes.
     */
    public abstract void read(DataInput in) throws IOException;
}
