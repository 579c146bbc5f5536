package dev.snapflow.engine.checkpoint.barrier;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static dev.snapflow.engine.checkpoint.CheckpointFailureReason.CHECKPOINT_DECLINED_INPUT_END_OF_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

/** The reference's at-least-once scenarios S9 and S10, 3 channels unless said. */
class BarrierTrackerScenarioTest {

    @Test
    @DisplayName("S9 (B7): late barriers do not kill older checkpoints; incomplete ones are dropped silently")
    void s9_when_checkpoints_interleave_then_each_triggers_once_complete_in_order() {
        BarrierScenario s = BarrierScenario.tracker(3, true);

        s.offer("d0 B2@0 d1 B2@1 d2 B2@2");
        s.offer("B3@1 B3@2 | B4@2 B4@1 | d0 B3@0 | d0 B4@0");
        s.offer("B5@0 B5@1 B5@2");
        s.offer("B6@1 B6@2");
        s.offer("B7@1 B7@2 B8@2 B8@1 B9@1 B7@0 B9@2 B10@2 B8@0 B9@0 B10@0 B10@1");

        assertThat(s.triggered).containsExactly(2L, 3L, 4L, 5L, 7L, 8L, 9L, 10L);
        assertThat(s.aborted).isEmpty();
        assertThat(s.blocked()).isEmpty();
    }

    @Test
    @DisplayName("S9 companion (B7): interleaved cancellation markers abort each checkpoint exactly once")
    void s9_when_markers_interleave_then_each_checkpoint_aborts_once() {
        BarrierScenario s = BarrierScenario.tracker(3, true);

        s.offer("B1@0 C2@0 C1@1 C2@1 C1@2 C2@2");

        assertThat(s.aborted.keySet()).containsExactly(1L, 2L);
        assertThat(s.triggered).isEmpty();
    }

    @Test
    @DisplayName("S10: a single channel triggers on each barrier; newer markers abort their ids")
    void s10_when_there_is_one_channel_then_barriers_trigger_at_once() {
        BarrierScenario s = BarrierScenario.tracker(1, true);

        s.offer("d0 B1@0 d0 B2@0 C4@0 B5@0 d0 C6@0 d0");

        assertThat(s.triggered).containsExactly(1L, 2L, 5L);
        assertThat(s.aborted.keySet()).containsExactly(4L, 6L);
    }

    @Test
    @DisplayName("B6: an ended channel completes the checkpoints waiting only for it")
    void when_a_channel_ends_then_it_counts_as_aligned_for_pending_checkpoints() {
        BarrierScenario s = BarrierScenario.tracker(3, true);

        s.offer("B1@0 B1@1 B2@0 EoP@2");
        assertThat(s.triggered).containsExactly(1L);
        s.offer("B2@1");
        assertThat(s.triggered).containsExactly(1L, 2L);
        s.offer("B3@0 B3@1");
        assertThat(s.triggered).containsExactly(1L, 2L, 3L);
    }

    @Test
    @DisplayName("B6: with checkpoints after the end of an input disabled, an end aborts every pending checkpoint")
    void when_a_channel_ends_and_after_finish_is_off_then_pending_checkpoints_abort() {
        BarrierScenario s = BarrierScenario.tracker(3, false);

        s.offer("B1@0 B2@1 EoP@2");

        assertThat(s.aborted).containsOnlyKeys(1L, 2L)
                .allSatisfy((id, reason) -> assertThat(reason).isEqualTo(CHECKPOINT_DECLINED_INPUT_END_OF_STREAM));
        assertThat(s.triggered).isEmpty();
    }

    @Test
    void when_more_than_the_tracked_limit_are_pending_then_the_oldest_is_forgotten() {
        BarrierScenario s = BarrierScenario.tracker(2, true);
        StringBuilder script = new StringBuilder();
        for (int id = 1; id <= BarrierTracker.MAX_TRACKED + 1; id++) {
            script.append("B").append(id).append("@0 ");
        }
        s.offer(script.toString());

        s.offer("B1@1");
        assertThat(s.triggered).isEmpty();
        s.offer("B2@1");
        assertThat(s.triggered).containsExactly(2L);
    }
}
