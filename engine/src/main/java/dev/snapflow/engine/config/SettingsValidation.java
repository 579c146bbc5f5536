package dev.snapflow.engine.config;

import java.time.Duration;

/** The checks every Settings class applies to its values, with messages that name the key. */
final class SettingsValidation {

    private SettingsValidation() {
    }

    static void requireAtLeast(String path, String key, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(path + "." + key + " must be >= " + minimum + ", was " + value);
        }
    }

    static void requirePositive(String path, String key, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(path + "." + key + " must be a positive duration, was " + value);
        }
    }

    static void requireNotNegative(String path, String key, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(path + "." + key + " must not be negative, was " + value);
        }
    }
}
