package dev.snapflow.engine.job;

import dev.snapflow.engine.config.RestartStrategy;

import java.time.Duration;
import java.util.Optional;

/**
 * Applies a {@link RestartStrategy} to a job's failures: for each failure, the delay before the
 * next attempt, or empty when the job must fail. Time comes in as an argument, so tests use a
 * manual clock. Not thread-safe: the job master owns it.
 */
final class RestartBackoff {

    private final RestartStrategy strategy;
    private int restarts;
    private Duration nextBackoff;
    private long lastFailureMillis = Long.MIN_VALUE;

    RestartBackoff(RestartStrategy strategy) {
        this.strategy = strategy;
        this.nextBackoff = strategy instanceof RestartStrategy.ExponentialDelay exponential
                ? exponential.initialBackoff() : Duration.ZERO;
    }

    /** A failure at {@code nowMillis}: how long to wait before the next attempt, or empty to fail the job. */
    Optional<Duration> onFailure(long nowMillis) {
        Optional<Duration> delay;
        if (strategy instanceof RestartStrategy.FixedDelay fixed) {
            delay = restarts < fixed.attempts() ? Optional.of(fixed.delay()) : Optional.empty();
        } else if (strategy instanceof RestartStrategy.ExponentialDelay exponential) {
            delay = exponential(exponential, nowMillis);
        } else {
            delay = Optional.empty();
        }
        lastFailureMillis = nowMillis;
        delay.ifPresent(ignored -> restarts++);
        return delay;
    }

    /** Restarts granted so far (since the last reset, for exponential delay). */
    int restarts() {
        return restarts;
    }

    private Optional<Duration> exponential(RestartStrategy.ExponentialDelay exponential, long nowMillis) {
        if (lastFailureMillis != Long.MIN_VALUE
                && nowMillis - lastFailureMillis >= exponential.resetBackoffThreshold().toMillis()) {
            restarts = 0;
            nextBackoff = exponential.initialBackoff();
        }
        if (restarts >= exponential.attempts()) {
            return Optional.empty();
        }
        Duration delay = nextBackoff;
        double grown = delay.toMillis() * exponential.multiplier();
        nextBackoff = grown >= exponential.maxBackoff().toMillis()
                ? exponential.maxBackoff() : Duration.ofMillis((long) grown);
        return Optional.of(delay);
    }
}
