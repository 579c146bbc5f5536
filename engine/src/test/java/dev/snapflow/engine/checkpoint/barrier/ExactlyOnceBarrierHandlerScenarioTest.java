package dev.snapflow.engine.checkpoint.barrier;

import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.snapflow.engine.checkpoint.CheckpointFailureReason.CHECKPOINT_DECLINED_INPUT_END_OF_STREAM;
import static dev.snapflow.engine.checkpoint.CheckpointFailureReason.CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER;
import static dev.snapflow.engine.checkpoint.CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED;
import static org.assertj.core.api.Assertions.assertThat;

/** The reference's acceptance scenarios S1–S6 and S10 for exactly-once alignment, 3 channels unless said. */
class ExactlyOnceBarrierHandlerScenarioTest {

    @Test
    @DisplayName("S1 (B1, B2): basic alignment")
    void s1_when_barriers_arrive_on_all_channels_then_each_checkpoint_triggers_on_its_last_barrier() {
        BarrierScenario s = BarrierScenario.aligned(3, true);

        s.offer("d0 d2 d0 B1@1");
        assertThat(s.blocked()).containsExactly(1);
        s.offer("B1@2 d0");
        assertThat(s.blocked()).containsExactly(1, 2);
        assertThat(s.triggered).isEmpty();
        s.offer("B1@0");
        assertThat(s.triggered).containsExactly(1L);
        assertThat(s.blocked()).isEmpty();
        // Alignment: from B1@1 to B1@0, three script steps of 1 ms.
        assertThat(s.triggers.get(0).alignmentNanos()).isEqualTo(3_000_000);

        s.offer("d0 d0 d1 d1 d2 B2@0 B2@1 B2@2");
        assertThat(s.triggered).containsExactly(1L, 2L);
        assertThat(s.blocked()).isEmpty();
        s.offer("d2 d2 B3@2 d0 d0 B3@0 B3@1 | B4@1 B4@2 B4@0 | d0 EoP@0 EoP@1 EoP@2");
        assertThat(s.triggered).containsExactly(1L, 2L, 3L, 4L);
        assertThat(s.triggers).extracting(BarrierAction.TriggerCheckpoint::alignmentNanos)
                .containsExactly(3_000_000L, 2_000_000L, 4_000_000L, 2_000_000L);
        assertThat(s.aborted).isEmpty();
        assertThat(s.blocked()).isEmpty();
    }

    @Test
    @DisplayName("S2 (B4, B6): a newer barrier subsumes the pending alignment; EoP aborts (after-finish off)")
    void s2_when_a_newer_barrier_arrives_then_the_pending_checkpoint_is_aborted_as_subsumed() {
        BarrierScenario s = BarrierScenario.aligned(3, false);

        s.offer("d0 d2 d0 B1@1 B1@2 d0 B1@0 d1 d0");
        assertThat(s.triggered).containsExactly(1L);
        s.offer("B2@1 d2 B2@0 d2");
        assertThat(s.blocked()).containsExactly(0, 1);
        s.offer("B3@2");
        assertThat(s.aborted).containsExactly(Map.entry(2L, CHECKPOINT_DECLINED_SUBSUMED));
        assertThat(s.blocked()).containsExactly(2);
        s.offer("d1 d0 B3@0");
        assertThat(s.blocked()).containsExactly(0, 2);
        s.offer("B4@1");
        assertThat(s.aborted).containsEntry(3L, CHECKPOINT_DECLINED_SUBSUMED);
        assertThat(s.blocked()).containsExactly(1);
        s.offer("d2 d0 EoP@0");
        assertThat(s.aborted).containsEntry(4L, CHECKPOINT_DECLINED_INPUT_END_OF_STREAM);
        assertThat(s.blocked()).isEmpty();
        s.offer("d2 EoP@2 d1 EoP@1");

        assertThat(s.triggered).containsExactly(1L);
        assertThat(s.aborted).hasSize(3);
    }

    @Test
    @DisplayName("S3 (B5): cancellation markers")
    void s3_when_cancellation_markers_arrive_then_their_checkpoints_abort_once() {
        BarrierScenario s = BarrierScenario.aligned(3, true);

        s.offer("B1@0 B1@1 B1@2");
        s.offer("B2@0 B2@2 d1");
        assertThat(s.blocked()).containsExactly(0, 2);
        s.offer("C2@1");
        assertThat(s.blocked()).isEmpty();
        s.offer("B3@0 B3@1 B3@2");
        s.offer("d0 d1 C4@1");
        assertThat(s.aborted).containsKey(4L);
        s.offer("B4@2 d0 B4@0");
        assertThat(s.blocked()).isEmpty();
        s.offer("B5@0 B5@1 B5@2 | C6@1 C6@2 B6@0 d0");

        assertThat(s.triggered).containsExactly(1L, 3L, 5L);
        assertThat(s.aborted).containsOnlyKeys(2L, 4L, 6L)
                .allSatisfy((id, reason) -> assertThat(reason).isEqualTo(CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER));
        assertThat(s.blocked()).isEmpty();
    }

    @Test
    @DisplayName("S4 (B3): a late barrier of an aborted checkpoint is ignored")
    void s4_when_a_barrier_of_an_aborted_checkpoint_arrives_then_it_is_ignored() {
        BarrierScenario s = BarrierScenario.aligned(3, true);

        s.offer("d1 B1@1 d2 d0 C1@0");
        assertThat(s.aborted).containsOnlyKeys(1L);
        assertThat(s.blocked()).isEmpty();
        s.offer("d1 B2@1");
        assertThat(s.blocked()).containsExactly(1);
        s.offer("d2 d0 B1@2");
        assertThat(s.blocked()).containsExactly(1);
        s.offer("d0 d2 B2@0 B2@2 d0 d1 d2");

        assertThat(s.triggered).containsExactly(2L);
        assertThat(s.aborted).hasSize(1);
    }

    @Test
    @DisplayName("S5 (B5): a cancellation marker for an already subsumed checkpoint is ignored")
    void s5_when_a_marker_is_for_a_subsumed_checkpoint_then_it_has_no_effect() {
        BarrierScenario s = BarrierScenario.aligned(3, true);

        s.offer("d2 B3@1 B3@0 d2");
        assertThat(s.blocked()).containsExactly(0, 1);
        s.offer("B5@2");
        assertThat(s.aborted).containsExactly(Map.entry(3L, CHECKPOINT_DECLINED_SUBSUMED));
        assertThat(s.blocked()).containsExactly(2);
        s.offer("d1 d0 C3@0");
        assertThat(s.blocked()).containsExactly(2);
        s.offer("d0 d1 B5@0 B5@1");

        assertThat(s.triggered).containsExactly(5L);
        assertThat(s.aborted).hasSize(1);
    }

    @Test
    @DisplayName("S6 (B6): an ended channel counts as aligned")
    void s6_when_a_channel_ends_during_alignment_then_it_counts_as_aligned() {
        BarrierScenario a = BarrierScenario.aligned(3, true);
        a.offer("B1@0 B1@1 EoP@2");
        assertThat(a.triggered).containsExactly(1L);
        assertThat(a.blocked()).isEmpty();

        BarrierScenario b = BarrierScenario.aligned(3, true);
        b.offer("B2@0 B2@1");
        // Channel 1 delivered the barrier and is blocked; the script can only end channel 2 now.
        b.offer("EoP@2");
        assertThat(b.triggered).containsExactly(2L);

        BarrierScenario c = BarrierScenario.aligned(3, true);
        c.offer("EoP@2 B6@0 B6@1");
        assertThat(c.triggered).containsExactly(6L);
        c.offer("EoP@1 B7@0");
        assertThat(c.triggered).containsExactly(6L, 7L);
        assertThat(c.aborted).isEmpty();
    }

    @Test
    @DisplayName("S6b (B6): a channel that delivered the barrier and then ended is counted once")
    void s6b_when_an_aligned_channel_ends_then_it_is_not_counted_twice() {
        ExactlyOnceBarrierHandler handler = new ExactlyOnceBarrierHandler(3, true, () -> 0, () -> 0);
        dev.snapflow.serialization.event.CheckpointBarrier barrier = new dev.snapflow.serialization.event.CheckpointBarrier(
                2, 0, dev.snapflow.serialization.event.CheckpointOptions.forCheckpointWithDefaultLocation());
        handler.onBarrier(0, barrier);
        handler.onBarrier(1, barrier);

        // Flink's mock gate hands out items of blocked channels too; this is that case.
        assertThat(handler.onEndOfPartition(1)).isEmpty();
        assertThat(handler.onBarrier(2, barrier)).first().isInstanceOf(BarrierAction.TriggerCheckpoint.class);
    }

    @Test
    @DisplayName("S10: a single channel triggers on each barrier; newer markers abort their ids")
    void s10_when_there_is_one_channel_then_barriers_trigger_at_once() {
        BarrierScenario s = BarrierScenario.aligned(1, true);

        s.offer("d0 B1@0 d0 B2@0 C4@0 B5@0 d0 C6@0 d0");

        assertThat(s.triggered).containsExactly(1L, 2L, 5L);
        assertThat(s.aborted.keySet()).containsExactly(4L, 6L);
        assertThat(s.blocked()).isEmpty();
        assertThat(s.triggers).allSatisfy(t -> assertThat(t.alignmentNanos()).isZero());
    }

    @Test
    void when_the_barrier_is_late_then_the_start_delay_is_measured_from_its_timestamp() {
        long[] now = {0};
        ExactlyOnceBarrierHandler handler = new ExactlyOnceBarrierHandler(2, true, () -> now[0] * 1_000_000, () -> now[0]);
        now[0] = 1_250;
        handler.onBarrier(0, new dev.snapflow.serialization.event.CheckpointBarrier(1, 1_000,
                dev.snapflow.serialization.event.CheckpointOptions.forCheckpointWithDefaultLocation()));
        now[0] = 1_300;

        List<BarrierAction> actions = handler.onBarrier(1, new dev.snapflow.serialization.event.CheckpointBarrier(1, 1_000,
                dev.snapflow.serialization.event.CheckpointOptions.forCheckpointWithDefaultLocation()));

        BarrierAction.TriggerCheckpoint trigger = (BarrierAction.TriggerCheckpoint) actions.get(0);
        assertThat(trigger.startDelayMillis()).isEqualTo(250);
        assertThat(trigger.alignmentNanos()).isEqualTo(50_000_000);
        assertThat(actions.get(1)).isEqualTo(new BarrierAction.ResumeChannel(0));
        assertThat(CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED.isCounted()).isFalse();
    }

    @Test
    @DisplayName("B11: an abort from the coordinator ends only its own checkpoint, now or when its barriers come")
    void rule_B11_when_the_coordinator_aborts_a_checkpoint_then_only_that_checkpoint_is_given_up() {
        BarrierScenario s = BarrierScenario.aligned(3, true);

        // An older checkpoint still aligning is not disturbed by a newer one's abort.
        s.offer("B1@0 d1 X2 B1@1 B1@2");
        assertThat(s.triggered).containsExactly(1L);
        assertThat(s.aborted).isEmpty();
        // A checkpoint aborted before its barriers: they block nothing and trigger nothing.
        s.offer("X3 B3@0 d0 B3@1 d1 B3@2 d2");
        assertThat(s.aborted).containsOnlyKeys(3L);
        assertThat(s.blocked()).isEmpty();
        // A checkpoint aborted while aligning: its channels resume at once.
        s.offer("B4@0 B4@1 X4 d0 d1 B4@2");
        assertThat(s.aborted).containsOnlyKeys(3L, 4L);
        assertThat(s.blocked()).isEmpty();
        s.offer("B5@0 B5@1 B5@2");
        assertThat(s.triggered).containsExactly(1L, 5L);
    }
}
