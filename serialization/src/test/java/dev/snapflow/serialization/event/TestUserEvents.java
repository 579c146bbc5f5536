package dev.snapflow.serialization.event;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** User event classes for the "other event" path, and classes that must never be initialized. */
public final class TestUserEvents {

    /** Names of the classes below whose static initializer has run. */
    public static final Set<String> INITIALIZED = ConcurrentHashMap.newKeySet();

    private TestUserEvents() {
    }

    /** A well-behaved user event with one field. */
    public static final class Greeting extends UserEvent {
        private String text;

        public Greeting() {
        }

        public Greeting(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeUTF(text);
        }

        @Override
        public void read(DataInput in) throws IOException {
            text = in.readUTF();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Greeting other && Objects.equals(text, other.text);
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(text);
        }

        @Override
        public String toString() {
            return "Greeting(" + text + ")";
        }
    }

    /** An event that is never allow-listed; its static initializer must never run. */
    public static final class UnlistedEvent extends UserEvent {
        static {
            INITIALIZED.add("UnlistedEvent");
        }

        @Override
        public void write(DataOutput out) {
        }

        @Override
        public void read(DataInput in) {
        }
    }

    /** Not an event at all, but allow-listed by mistake; its static initializer must never run. */
    public static final class NotAnEvent {
        static {
            INITIALIZED.add("NotAnEvent");
        }
    }

    /** An allow-listed event whose initializer runs: the positive control for the two above. */
    public static final class ListedEventWithInitializer extends UserEvent {
        static {
            INITIALIZED.add("ListedEventWithInitializer");
        }

        @Override
        public void write(DataOutput out) {
        }

        @Override
        public void read(DataInput in) {
        }
    }

    /** An allow-listed event without a no-argument constructor. */
    public static final class NoDefaultConstructor extends UserEvent {
        public NoDefaultConstructor(int ignored) {
        }

        @Override
        public void write(DataOutput out) {
        }

        @Override
        public void read(DataInput in) {
        }
    }

    /** An allow-listed event whose read fails with an unchecked exception. */
    public static final class ThrowingOnRead extends UserEvent {
        @Override
        public void write(DataOutput out) {
        }

        @Override
        public void read(DataInput in) {
            throw new IllegalStateException("broken event");
        }
    }
}
