package dev.snapflow.engine.config;

import dev.snapflow.serialization.akka.CborSerializable;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The parameters of a job submitted to a cluster by name: plain strings, which every node hands
 * to the same registered job definition, so that every node builds the same job. They are what a
 * submission sends across nodes, never the job's code.
 *
 * @param values parameter names to values
 */
public record JobParameters(Map<String, String> values) implements CborSerializable {

    public JobParameters {
        values = Map.copyOf(Objects.requireNonNull(values, "values"));
    }

    public static JobParameters empty() {
        return new JobParameters(Map.of());
    }

    public static JobParameters of(Map<String, String> values) {
        return new JobParameters(values);
    }

    /** These parameters and {@code name = value}. */
    public JobParameters with(String name, String value) {
        Map<String, String> more = new java.util.HashMap<>(values);
        more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new JobParameters(more);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public String get(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    /** @throws IllegalArgumentException naming the parameter, if it is set but not a number */
    public long getLong(String name, long defaultValue) {
        String value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Job parameter '" + name + "' must be a whole number, was '" + value + "'", e);
        }
    }

    /** @throws IllegalArgumentException naming the parameter, if it is set but not a number */
    public int getInt(String name, int defaultValue) {
        long value = getLong(name, defaultValue);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Job parameter '" + name + "' is out of range: " + value);
        }
        return (int) value;
    }
}
