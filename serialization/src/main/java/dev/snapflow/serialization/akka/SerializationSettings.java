package dev.snapflow.serialization.akka;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.snapflow.serialization.event.EventAllowList;

import java.util.List;

/**
 * Settings of the serialization module, read from {@code snapflow.serialization}.
 * Immutable; validated when created.
 */
public final class SerializationSettings {

    public static final String CONFIG_PATH = "snapflow.serialization";

    private final EventAllowList eventAllowList;

    private SerializationSettings(EventAllowList eventAllowList) {
        this.eventAllowList = eventAllowList;
    }

    public static SerializationSettings create(ActorSystem<?> system) {
        return create(system.settings().config());
    }

    /**
     * Reads the settings from a full configuration (the path {@value #CONFIG_PATH} inside it).
     *
     * @throws IllegalArgumentException naming the key, for a missing or malformed setting
     */
    public static SerializationSettings create(Config config) {
        String key = CONFIG_PATH + ".allowed-event-classes";
        List<String> names;
        try {
            names = config.getStringList(key);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
        try {
            return new SerializationSettings(EventAllowList.of(names));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    /** The user event classes that may be decoded by name. */
    public EventAllowList eventAllowList() {
        return eventAllowList;
    }

    public SerializationSettings withEventAllowList(EventAllowList allowList) {
        return new SerializationSettings(allowList);
    }

    @Override
    public String toString() {
        return "SerializationSettings(eventAllowList=" + eventAllowList.classNames() + ")";
    }
}
