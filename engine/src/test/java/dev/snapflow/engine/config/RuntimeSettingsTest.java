package dev.snapflow.engine.config;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuntimeSettingsTest {

    @Test
    void when_reference_conf_is_read_then_the_documented_defaults_apply() {
        RuntimeSettings settings = RuntimeSettings.create(ConfigFactory.load());

        assertThat(settings.bufferRecords()).isEqualTo(1024);
        assertThat(settings.flushTimeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(settings.channelCapacity()).isEqualTo(4);
        assertThat(settings.creditsPerChannel()).isEqualTo(2);
        assertThat(settings.floatingCreditsPerGate()).isEqualTo(8);
        assertThat(settings.subtaskDispatcher()).isEmpty();
    }

    @Test
    void when_a_value_is_out_of_range_then_the_error_names_the_key() {
        assertThatThrownBy(() -> RuntimeSettings.create(ConfigFactory.parseString("snapflow.runtime.channel-capacity = 0")
                .withFallback(ConfigFactory.load())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("snapflow.runtime.channel-capacity must be >= 1, was 0");
    }

    @Test
    void when_a_value_has_the_wrong_type_then_the_error_names_the_key() {
        assertThatThrownBy(() -> RuntimeSettings.create(ConfigFactory.parseString("snapflow.runtime.flush-timeout = soon")
                .withFallback(ConfigFactory.load())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("flush-timeout");
    }

    @Test
    void when_settings_are_copied_with_a_change_then_only_that_changes() {
        RuntimeSettings defaults = RuntimeSettings.create(ConfigFactory.load());

        RuntimeSettings changed = defaults.withFlushTimeout(Duration.ofMillis(5));

        assertThat(changed.flushTimeout()).isEqualTo(Duration.ofMillis(5));
        assertThat(changed.bufferRecords()).isEqualTo(defaults.bufferRecords());
        assertThatThrownBy(() -> defaults.withBufferRecords(0)).hasMessage("snapflow.runtime.buffer-records must be >= 1, was 0");
    }
}
