package dev.snapflow.engine.checkpoint;

import org.junit.jupiter.api.Test;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RepeatedWarningsTest {

    private final AtomicLong now = new AtomicLong();
    private final RepeatedWarnings warnings = new RepeatedWarnings(1_000, now::get);

    @Test
    void when_a_warning_repeats_within_the_interval_then_it_is_logged_once_and_counted() {
        assertThat(warnings.shouldLog("disk full")).isEqualTo(OptionalLong.of(0));
        for (int i = 0; i < 5; i++) {
            now.addAndGet(100);
            assertThat(warnings.shouldLog("disk full")).isEmpty();
        }
        now.addAndGet(600);

        assertThat(warnings.shouldLog("disk full")).as("logged again, with the suppressed count").isEqualTo(OptionalLong.of(5));
        assertThat(warnings.shouldLog("disk full")).isEmpty();
    }

    @Test
    void when_warnings_differ_then_each_is_logged() {
        assertThat(warnings.shouldLog("a")).isPresent();
        assertThat(warnings.shouldLog("b")).isPresent();
    }
}
