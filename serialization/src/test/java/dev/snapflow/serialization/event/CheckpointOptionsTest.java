package dev.snapflow.serialization.event;

import org.junit.jupiter.api.Test;

import static dev.snapflow.serialization.event.CheckpointOptions.NO_ALIGNED_CHECKPOINT_TIMEOUT;
import static dev.snapflow.serialization.event.CheckpointStorageLocationReference.DEFAULT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointOptionsTest {

    private static final SavepointType SAVEPOINT = SavepointType.savepoint(SavepointFormatType.CANONICAL);

    @Test
    void when_a_savepoint_is_made_unaligned_then_it_is_refused() {
        assertThatThrownBy(() -> CheckpointOptions.unaligned(SAVEPOINT, DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A savepoint cannot be unaligned");
    }

    @Test
    void when_a_savepoint_gets_a_timeout_then_it_is_refused() {
        assertThatThrownBy(() -> CheckpointOptions.alignedWithTimeout(SAVEPOINT, DEFAULT, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A savepoint cannot have an aligned-checkpoint timeout (100 ms)");
    }

    @Test
    void when_unaligned_options_get_a_timeout_then_they_are_refused() {
        assertThatThrownBy(() -> new CheckpointOptions(CheckpointType.CHECKPOINT, DEFAULT, AlignmentType.UNALIGNED, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("An UNALIGNED checkpoint cannot have an aligned-checkpoint timeout (5 ms)");
    }

    @Test
    void when_timeout_is_negative_then_it_is_refused() {
        assertThatThrownBy(() -> CheckpointOptions.alignedWithTimeout(CheckpointType.CHECKPOINT, DEFAULT, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The aligned-checkpoint timeout must be >= 0 ms, was -1");
    }

    @Test
    void when_not_exactly_once_then_for_config_gives_at_least_once() {
        CheckpointOptions options = CheckpointOptions.forConfig(CheckpointType.CHECKPOINT, DEFAULT, false, true, 10);

        assertThat(options.alignment()).isEqualTo(AlignmentType.AT_LEAST_ONCE);
        assertThat(options.needsAlignment()).isFalse();
        assertThat(options.needsChannelState()).isFalse();
    }

    @Test
    void when_savepoint_then_for_config_gives_aligned_without_timeout_even_if_unaligned_is_enabled() {
        CheckpointOptions options = CheckpointOptions.forConfig(SAVEPOINT, DEFAULT, true, true, 0);

        assertThat(options.alignment()).isEqualTo(AlignmentType.ALIGNED);
        assertThat(options.alignedCheckpointTimeout()).isEqualTo(NO_ALIGNED_CHECKPOINT_TIMEOUT);
        assertThat(options.needsAlignment()).isTrue();
    }

    @Test
    void when_unaligned_disabled_then_for_config_gives_aligned_without_timeout() {
        CheckpointOptions options = CheckpointOptions.forConfig(CheckpointType.CHECKPOINT, DEFAULT, true, false, 50);

        assertThat(options).isEqualTo(CheckpointOptions.forCheckpointWithDefaultLocation());
        assertThat(options.isTimeoutable()).isFalse();
    }

    @Test
    void when_timeout_is_zero_or_max_then_for_config_gives_unaligned() {
        assertThat(CheckpointOptions.forConfig(CheckpointType.CHECKPOINT, DEFAULT, true, true, 0).isUnaligned()).isTrue();
        assertThat(CheckpointOptions.forConfig(CheckpointType.CHECKPOINT, DEFAULT, true, true, NO_ALIGNED_CHECKPOINT_TIMEOUT)
                .isUnaligned()).isTrue();
    }

    @Test
    void when_timeout_is_finite_then_for_config_gives_a_timeoutable_aligned_checkpoint() {
        CheckpointOptions options = CheckpointOptions.forConfig(CheckpointType.CHECKPOINT, DEFAULT, true, true, 30_000);

        assertThat(options.alignment()).isEqualTo(AlignmentType.ALIGNED);
        assertThat(options.isTimeoutable()).isTrue();
        assertThat(options.needsAlignment()).isTrue();
        assertThat(options.needsChannelState()).isTrue();
    }

    @Test
    void when_timeoutable_options_switch_to_unaligned_then_the_timeout_is_dropped() {
        CheckpointOptions options = CheckpointOptions.alignedWithTimeout(CheckpointType.CHECKPOINT, DEFAULT, 30);

        CheckpointOptions unaligned = options.toUnaligned();

        assertThat(unaligned.isUnaligned()).isTrue();
        assertThat(unaligned.alignedCheckpointTimeout()).isEqualTo(NO_ALIGNED_CHECKPOINT_TIMEOUT);
        assertThat(unaligned.needsAlignment()).isFalse();
    }

    @Test
    void when_an_edge_cannot_carry_channel_state_then_unaligned_is_forced_aligned_and_restored_after() {
        CheckpointOptions unaligned = CheckpointOptions.unaligned(CheckpointType.CHECKPOINT, DEFAULT);
        CheckpointOptions timeoutable = CheckpointOptions.alignedWithTimeout(CheckpointType.CHECKPOINT, DEFAULT, 30);

        assertThat(unaligned.withUnalignedUnsupported().alignment()).isEqualTo(AlignmentType.FORCED_ALIGNED);
        assertThat(unaligned.withUnalignedUnsupported().isTimeoutable()).isFalse();
        assertThat(unaligned.withUnalignedUnsupported().withUnalignedSupported()).isEqualTo(unaligned);
        assertThat(timeoutable.withUnalignedUnsupported().withUnalignedSupported()).isEqualTo(timeoutable);
        assertThat(CheckpointOptions.forCheckpointWithDefaultLocation().withUnalignedUnsupported())
                .isEqualTo(CheckpointOptions.forCheckpointWithDefaultLocation());
    }

    @Test
    void when_only_aligned_options_may_switch_to_unaligned() {
        assertThatThrownBy(() -> CheckpointOptions.atLeastOnce(CheckpointType.CHECKPOINT, DEFAULT).toUnaligned())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void when_location_reference_is_empty_then_it_is_refused() {
        assertThatThrownBy(() -> CheckpointStorageLocationReference.of(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void when_location_bytes_change_after_creation_then_the_reference_does_not() {
        byte[] bytes = {1, 2, 3};
        CheckpointStorageLocationReference reference = CheckpointStorageLocationReference.of(bytes);
        bytes[0] = 9;

        assertThat(reference).isEqualTo(CheckpointStorageLocationReference.of(new byte[] {1, 2, 3}));
        assertThat(reference.toString()).isEqualTo("0x010203");
    }
}
