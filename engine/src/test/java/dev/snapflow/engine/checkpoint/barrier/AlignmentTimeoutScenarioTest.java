package dev.snapflow.engine.checkpoint.barrier;

import dev.snapflow.serialization.event.AlignmentType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference's scenario S8 and its variants for aligned checkpoints that switch to unaligned
 * after a timeout (rule B10). Barriers carry trigger time 0; each script element takes 1 ms.
 */
class AlignmentTimeoutScenarioTest {

    @Test
    @DisplayName("S8 (B10): the timer switches a running alignment to unaligned")
    void s8_when_the_timeout_fires_during_the_alignment_then_the_checkpoint_goes_unaligned() {
        BarrierScenario s = BarrierScenario.timeoutable(2, 10);

        s.offer("d0 d0 B1@0 d1");
        assertThat(s.blocked()).containsExactly(0);
        assertThat(s.triggered).isEmpty();
        assertThat(s.scheduledTimeouts).singleElement().satisfies(timer -> assertThat(timer).containsExactly(1, 7));

        s.advance(10).fireTimeout(1);
        assertThat(s.triggered).containsExactly(1L);
        assertThat(s.triggers.get(0).barrier().options().alignment()).isEqualTo(AlignmentType.UNALIGNED);
        assertThat(s.blocked()).as("the switch resumes the aligned channel").isEmpty();

        s.offer("d1 d0 B1@1 d1");
        assertThat(s.persisted).as("channel 1 until its barrier; channel 0 had its barrier").containsExactly("d1#5");
        assertThat(s.inputComplete).containsExactly(1L);
        assertThat(s.triggered).containsExactly(1L);
    }

    @Test
    void when_the_timeout_passed_before_the_first_barrier_then_it_triggers_unaligned_at_once() {
        BarrierScenario s = BarrierScenario.timeoutable(2, 10);

        s.advance(20).offer("B1@0 d1 d0 B1@1");

        assertThat(s.triggered).containsExactly(1L);
        assertThat(s.triggers.get(0).barrier().options().alignment()).isEqualTo(AlignmentType.UNALIGNED);
        assertThat(s.blocked()).isEmpty();
        assertThat(s.persisted).containsExactly("d1#2");
        assertThat(s.inputComplete).containsExactly(1L);
    }

    @Test
    void when_a_barrier_arrives_after_the_timeout_then_the_passive_check_switches() {
        BarrierScenario s = BarrierScenario.timeoutable(3, 10);

        s.offer("B1@0 d1 d2").advance(10).offer("B1@1 d2 d0 B1@2");

        assertThat(s.triggered).containsExactly(1L);
        assertThat(s.triggers.get(0).barrier().options().alignment()).isEqualTo(AlignmentType.UNALIGNED);
        assertThat(s.persisted).as("only channel 2 still owed its barrier").containsExactly("d2#5");
        assertThat(s.inputComplete).containsExactly(1L);
        assertThat(s.blocked()).isEmpty();
    }

    @Test
    void when_the_barriers_come_before_the_timeout_then_the_checkpoint_completes_aligned_and_the_late_timer_does_nothing() {
        BarrierScenario s = BarrierScenario.timeoutable(2, 10);

        s.offer("d0 B1@0 d1 B1@1").advance(20).fireTimeout(1);

        assertThat(s.triggered).containsExactly(1L);
        assertThat(s.triggers.get(0).barrier().options().alignment()).isEqualTo(AlignmentType.ALIGNED);
        assertThat(s.persisted).isEmpty();
        assertThat(s.inputComplete).isEmpty();
    }

    @Test
    void when_a_barrier_arrives_unaligned_during_an_alignment_then_it_switches_and_the_aligned_channel_resumes() {
        BarrierScenario s = BarrierScenario.timeoutable(3, 1_000);
        s.offer("B1@0 d1 d2");
        assertThat(s.blocked()).containsExactly(0);

        // Upstream of channel 1 the barrier timed out and overtook its data: it arrives as unaligned.
        s.offer("U1@1 d1 d2 B1@2");

        assertThat(s.triggered).containsExactly(1L);
        assertThat(s.blocked()).isEmpty();
        assertThat(s.persisted).containsExactly("d2#6");
        assertThat(s.inputComplete).containsExactly(1L);
    }

    @Test
    void when_the_timeout_is_never_then_the_checkpoint_always_aligns() {
        BarrierScenario s = BarrierScenario.aligned(2, true);

        s.offer("B1@0 d1").advance(1_000_000).offer("d1 B1@1");

        assertThat(s.triggers).singleElement().satisfies(trigger ->
                assertThat(trigger.barrier().options().alignment()).isEqualTo(AlignmentType.ALIGNED));
        assertThat(s.scheduledTimeouts).isEmpty();
    }

    @Test
    @DisplayName("B10: a barrier delivered but still queued behind data is announced, and its timeout starts the checkpoint unaligned")
    void when_the_timeout_of_a_barrier_still_queued_behind_data_fires_then_the_checkpoint_starts_unaligned() {
        BarrierScenario s = BarrierScenario.timeoutable(2, 10);

        s.offer("N1@0");
        assertThat(s.scheduledTimeouts).singleElement().satisfies(timer -> assertThat(timer).containsExactly(1, 9));
        s.advance(20).fireTimeout(1);
        assertThat(s.triggered).containsExactly(1L);
        assertThat(s.triggers.get(0).barrier().options().alignment()).isEqualTo(AlignmentType.UNALIGNED);

        s.offer("d0 B1@0 d1 B1@1 d0");
        assertThat(s.persisted).containsExactly("d0#2", "d1#4");
        assertThat(s.scheduledTimeouts).as("one timer per checkpoint").hasSize(1);
        assertThat(s.inputComplete).containsExactly(1L);
        assertThat(s.blocked()).isEmpty();
    }

    @Test
    void when_a_timer_fires_for_a_checkpoint_that_was_never_announced_here_then_nothing_happens() {
        BarrierScenario s = BarrierScenario.timeoutable(2, 10);

        s.offer("d0 B1@0 d1 B1@1").advance(20).fireTimeout(1).fireTimeout(2);

        assertThat(s.triggered).containsExactly(1L);
        assertThat(s.inputComplete).isEmpty();
    }
}
