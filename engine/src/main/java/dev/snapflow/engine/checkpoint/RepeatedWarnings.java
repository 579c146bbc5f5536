package dev.snapflow.engine.checkpoint;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Rate-limits warnings that repeat: a failure that happens at every checkpoint (a full disk, a
 * type that cannot be serialized) is logged the first time, then at most once per interval with
 * the number of times it happened since, so that it cannot fill the log. Warnings are told apart
 * by a key chosen by the caller (for example the failure's class and message without the
 * checkpoint id). Actor-confined; time from an injected nanosecond clock.
 */
public final class RepeatedWarnings {

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    /** Per key: when it was last logged, and how often it was suppressed since. */
    private final Map<String, long[]> seen = new HashMap<>();

    public RepeatedWarnings(long intervalNanos, LongSupplier nanoClock) {
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("The interval must be positive, was " + intervalNanos);
        }
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * A key for a failure: its innermost cause's class and message, with numbers (checkpoint ids,
     * sizes) left out, so that the same failure at each checkpoint has the same key.
     */
    public static String keyOf(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause.getClass().getName() + ": " + String.valueOf(cause.getMessage()).replaceAll("[0-9]+", "#");
    }

    /** The failure without the completion and execution wrappers of futures around it. */
    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException
                || cause instanceof java.io.UncheckedIOException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * Whether to log {@code failure} now, keyed by {@link #keyOf}.
     *
     * @return empty to stay silent; otherwise what to append to the warning: nothing the first
     *         time, the number of times it was left out since it was last logged after that
     */
    public Optional<String> noteFor(Throwable failure) {
        OptionalLong suppressed = shouldLog(keyOf(failure));
        if (suppressed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(suppressed.getAsLong() == 0 ? "" : " (and " + suppressed.getAsLong() + " times before in the same way)");
    }

    /**
     * Whether to log the warning with {@code key} now.
     *
     * @return empty to stay silent; otherwise the number of times it was suppressed since it was
     *         last logged (0 the first time)
     */
    public OptionalLong shouldLog(String key) {
        long now = nanoClock.getAsLong();
        long[] entry = seen.get(key);
        if (entry == null) {
            if (seen.size() >= 1024) {
                seen.clear(); // keys are few in practice; never grow without bound
            }
            seen.put(key, new long[]{now, 0});
            return OptionalLong.of(0);
        }
        if (now - entry[0] < intervalNanos) {
            entry[1]++;
            return OptionalLong.empty();
        }
        long suppressed = entry[1];
        entry[0] = now;
        entry[1] = 0;
        return OptionalLong.of(suppressed);
    }
}
