package dev.snapflow.engine.job;

import dev.snapflow.engine.config.RestartStrategy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RestartBackoffTest {

    @Test
    void when_there_is_no_restart_strategy_then_the_first_failure_fails_the_job() {
        RestartBackoff backoff = new RestartBackoff(RestartStrategy.none());

        assertThat(backoff.onFailure(0)).isEmpty();
    }

    @Test
    void when_fixed_delay_then_each_allowed_restart_waits_the_delay_and_the_next_failure_fails_the_job() {
        RestartBackoff backoff = new RestartBackoff(RestartStrategy.fixedDelay(2, Duration.ofMillis(250)));

        assertThat(backoff.onFailure(0)).contains(Duration.ofMillis(250));
        assertThat(backoff.onFailure(10_000_000)).contains(Duration.ofMillis(250));
        assertThat(backoff.onFailure(20_000_000)).isEmpty();
        assertThat(backoff.restarts()).isEqualTo(2);
    }

    @Test
    void when_exponential_delay_then_the_delay_grows_by_the_multiplier_up_to_the_maximum() {
        RestartBackoff backoff = new RestartBackoff(RestartStrategy.exponentialDelay(
                Duration.ofMillis(100), Duration.ofMillis(350), 2.0, Duration.ofHours(1), 10));

        assertThat(backoff.onFailure(0)).contains(Duration.ofMillis(100));
        assertThat(backoff.onFailure(1_000)).contains(Duration.ofMillis(200));
        assertThat(backoff.onFailure(2_000)).contains(Duration.ofMillis(350));
        assertThat(backoff.onFailure(3_000)).contains(Duration.ofMillis(350));
    }

    @Test
    void when_the_job_ran_healthy_past_the_threshold_then_the_delay_and_attempts_start_over() {
        RestartBackoff backoff = new RestartBackoff(RestartStrategy.exponentialDelay(
                Duration.ofMillis(100), Duration.ofSeconds(10), 3.0, Duration.ofMinutes(1), 2));
        backoff.onFailure(0);
        backoff.onFailure(1_000);
        assertThat(backoff.onFailure(2_000)).as("two attempts used").isEmpty();

        Optional<Duration> afterHealthyMinute = backoff.onFailure(2_000 + 60_000);

        assertThat(afterHealthyMinute).contains(Duration.ofMillis(100));
        assertThat(backoff.onFailure(2_000 + 61_000)).contains(Duration.ofMillis(300));
    }
}
