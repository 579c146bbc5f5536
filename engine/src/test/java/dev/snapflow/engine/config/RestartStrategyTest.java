package dev.snapflow.engine.config;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestartStrategyTest {

    private static RestartStrategy read(String settings) {
        return RestartStrategy.create(ConfigFactory.parseString(settings).withFallback(ConfigFactory.load()));
    }

    @Test
    void when_nothing_is_set_then_a_failure_fails_the_job() {
        assertThat(RestartStrategy.create(ConfigFactory.load())).isEqualTo(RestartStrategy.none());
    }

    @Test
    void when_fixed_delay_is_configured_then_its_attempts_and_delay_are_read() {
        assertThat(read("snapflow.restart { strategy = fixed-delay, fixed-delay { attempts = 5, delay = 200ms } }"))
                .isEqualTo(RestartStrategy.fixedDelay(5, Duration.ofMillis(200)));
    }

    @Test
    void when_exponential_delay_is_configured_then_every_key_is_read() {
        assertThat(read("snapflow.restart { strategy = exponential-delay, exponential-delay {"
                + " initial-backoff = 10ms, max-backoff = 2s, multiplier = 1.5, reset-backoff-threshold = 5m, attempts = 7 } }"))
                .isEqualTo(RestartStrategy.exponentialDelay(Duration.ofMillis(10), Duration.ofSeconds(2), 1.5,
                        Duration.ofMinutes(5), 7));
    }

    @Test
    void when_the_strategy_is_unknown_then_the_error_names_the_key_and_the_choices() {
        assertThatThrownBy(() -> read("snapflow.restart.strategy = always"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("snapflow.restart.strategy must be none, fixed-delay or exponential-delay, was 'always'");
    }

    @Test
    void when_a_value_is_out_of_range_then_the_error_names_the_key() {
        assertThatThrownBy(() -> read("snapflow.restart { strategy = fixed-delay, fixed-delay.attempts = -1 }"))
                .hasMessage("snapflow.restart.fixed-delay.attempts must be >= 0, was -1");
        assertThatThrownBy(() -> read("snapflow.restart { strategy = exponential-delay, exponential-delay.multiplier = 0.5 }"))
                .hasMessage("snapflow.restart.exponential-delay.multiplier must be >= 1, was 0.5");
        assertThatThrownBy(() -> read("snapflow.restart { strategy = exponential-delay, exponential-delay.max-backoff = 1ms }"))
                .hasMessageStartingWith("snapflow.restart.exponential-delay.max-backoff must be >= initial-backoff");
    }
}
