package dev.snapflow.engine.config;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointSettingsTest {

    private static final CheckpointSettings DEFAULTS = CheckpointSettings.create(ConfigFactory.load());

    @Test
    void when_unaligned_checkpoints_may_run_concurrently_then_the_settings_are_refused_naming_the_keys() {
        assertThatThrownBy(() -> DEFAULTS.withMaxConcurrent(2).withUnaligned(true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapflow.checkpoint.unaligned = on needs max-concurrent = 1, was 2");
        assertThatThrownBy(() -> DEFAULTS.withUnaligned(true).withMaxConcurrent(3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void when_checkpoints_are_aligned_then_they_may_run_concurrently() {
        assertThat(DEFAULTS.withMaxConcurrent(2).maxConcurrent()).isEqualTo(2);
        assertThat(DEFAULTS.withUnaligned(true).unaligned()).isTrue();
    }
}
