package dev.snapflow.serialization.event;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The user event classes a receiver may instantiate when it decodes an event by class name.
 *
 * <p>Decoding a user event names a class; loading and constructing an arbitrary class named by
 * bytes from the network would let any peer run static initializers and constructors of its
 * choice. The decoder therefore checks the name against this list before it touches the class
 * loader, then loads the class without initializing it and checks that it really extends
 * {@link UserEvent}. Immutable.
 */
public final class EventAllowList {

    private static final EventAllowList NONE = new EventAllowList(Set.of());

    /** A binary class name: dot-separated Java identifiers, {@code $} for nested classes. */
    private static final Pattern CLASS_NAME = Pattern.compile("\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

    private final Set<String> classNames;

    private EventAllowList(Set<String> classNames) {
        this.classNames = classNames;
    }

    /** Accepts no user event at all: the safe default. */
    public static EventAllowList none() {
        return NONE;
    }

    /** Accepts exactly the named classes; every name must be a binary class name. */
    public static EventAllowList of(Collection<String> classNames) {
        Set<String> names = new TreeSet<>();
        for (String name : classNames) {
            if (name == null || !CLASS_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + name + "' is not a binary class name (like com.example.MyEvent)");
            }
            names.add(name);
        }
        return new EventAllowList(Set.copyOf(names));
    }

    /** Accepts exactly the given classes. */
    @SafeVarargs
    public static EventAllowList ofClasses(Class<? extends UserEvent>... classes) {
        Set<String> names = new TreeSet<>();
        for (Class<? extends UserEvent> c : classes) {
            names.add(c.getName());
        }
        return new EventAllowList(Set.copyOf(names));
    }

    /** This list plus {@code other}'s classes. */
    public EventAllowList union(EventAllowList other) {
        Set<String> names = new TreeSet<>(classNames);
        names.addAll(other.classNames);
        return new EventAllowList(Set.copyOf(names));
    }

    public boolean allows(String className) {
        return classNames.contains(className);
    }

    public Set<String> classNames() {
        return classNames;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventAllowList other && classNames.equals(other.classNames);
    }

    @Override
    public int hashCode() {
        return classNames.hashCode();
    }

    @Override
    public String toString() {
        return "EventAllowList" + new TreeSet<>(classNames);
    }
}
