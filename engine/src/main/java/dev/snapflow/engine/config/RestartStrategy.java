package dev.snapflow.engine.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.time.Duration;

/**
 * What a job does when an attempt fails (a user function throws, an actor of the job stops
 * unexpectedly, too many checkpoints fail): stay failed, or start a new attempt from the latest
 * completed checkpoint after a delay. Read from {@value #CONFIG_PATH}; set per job with
 * {@link RuntimeSettings#withRestartStrategy}.
 */
public sealed interface RestartStrategy {

    String CONFIG_PATH = "snapflow.restart";

    /** The job fails on its first failure. */
    record NoRestart() implements RestartStrategy {
    }

    /**
     * Up to {@code attempts} restarts, each {@code delay} after the failure.
     *
     * @param attempts restarts allowed over the job's life, {@code >= 0}
     * @param delay    from a failure to the next attempt, {@code >= 0}
     */
    record FixedDelay(int attempts, Duration delay) implements RestartStrategy {
        public FixedDelay {
            SettingsValidation.requireAtLeast(CONFIG_PATH, "fixed-delay.attempts", attempts, 0);
            SettingsValidation.requireNotNegative(CONFIG_PATH, "fixed-delay.delay", delay);
        }
    }

    /**
     * Restarts with a delay that grows by {@code multiplier} after each failure, up to
     * {@code maxBackoff}; after {@code resetBackoffThreshold} without a failure, the delay and the
     * attempt count start over.
     *
     * @param attempts restarts allowed between two resets, {@code >= 0}
     */
    record ExponentialDelay(Duration initialBackoff, Duration maxBackoff, double multiplier,
                            Duration resetBackoffThreshold, int attempts) implements RestartStrategy {
        public ExponentialDelay {
            SettingsValidation.requirePositive(CONFIG_PATH, "exponential-delay.initial-backoff", initialBackoff);
            SettingsValidation.requirePositive(CONFIG_PATH, "exponential-delay.max-backoff", maxBackoff);
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException(CONFIG_PATH + ".exponential-delay.max-backoff must be >= initial-backoff, was "
                        + maxBackoff + " < " + initialBackoff);
            }
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException(CONFIG_PATH + ".exponential-delay.multiplier must be >= 1, was " + multiplier);
            }
            SettingsValidation.requirePositive(CONFIG_PATH, "exponential-delay.reset-backoff-threshold", resetBackoffThreshold);
            SettingsValidation.requireAtLeast(CONFIG_PATH, "exponential-delay.attempts", attempts, 0);
        }
    }

    static RestartStrategy none() {
        return new NoRestart();
    }

    static RestartStrategy fixedDelay(int attempts, Duration delay) {
        return new FixedDelay(attempts, delay);
    }

    static RestartStrategy exponentialDelay(Duration initialBackoff, Duration maxBackoff, double multiplier,
                                            Duration resetBackoffThreshold, int attempts) {
        return new ExponentialDelay(initialBackoff, maxBackoff, multiplier, resetBackoffThreshold, attempts);
    }

    /**
     * Reads {@value #CONFIG_PATH} from a full configuration.
     *
     * @throws IllegalArgumentException naming the key, for a missing, mistyped or out-of-range value
     */
    static RestartStrategy create(Config config) {
        try {
            Config c = config.getConfig(CONFIG_PATH);
            String strategy = c.getString("strategy");
            return switch (strategy) {
                case "none" -> none();
                case "fixed-delay" -> fixedDelay(c.getInt("fixed-delay.attempts"), c.getDuration("fixed-delay.delay"));
                case "exponential-delay" -> exponentialDelay(
                        c.getDuration("exponential-delay.initial-backoff"),
                        c.getDuration("exponential-delay.max-backoff"),
                        c.getDouble("exponential-delay.multiplier"),
                        c.getDuration("exponential-delay.reset-backoff-threshold"),
                        c.getInt("exponential-delay.attempts"));
                default -> throw new IllegalArgumentException(CONFIG_PATH + ".strategy must be none, fixed-delay or"
                        + " exponential-delay, was '" + strategy + "'");
            };
        } catch (ConfigException e) {
            throw new IllegalArgumentException("Invalid " + CONFIG_PATH + " settings: " + e.getMessage(), e);
        }
    }
}
