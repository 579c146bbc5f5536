package dev.snapflow.engine.checkpoint.barrier;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static dev.snapflow.engine.checkpoint.CheckpointFailureReason.CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER;
import static dev.snapflow.engine.checkpoint.CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED;
import static org.assertj.core.api.Assertions.assertThat;

/** The reference's scenario S7 and more for unaligned barriers (rule B9), 3 channels unless said. */
class UnalignedBarrierScenarioTest {

    @Test
    @DisplayName("S7 (B9): the input in front of each channel's barrier after the first barrier is persisted")
    void s7_when_the_first_barrier_arrives_then_the_checkpoint_triggers_and_later_input_before_each_barrier_is_persisted() {
        BarrierScenario s = BarrierScenario.unaligned(3);

        s.offer("d0 d2 d0 B5@1");
        assertThat(s.triggered).containsExactly(5L);
        assertThat(s.blocked()).isEmpty();
        s.offer("d2 d0 d2 d1 B5@2 d1 d0 d2 d1 B5@0");

        // Positions: B5@1 is the 4th element; then d2#5 d0#6 d2#7 d1#8 B5@2#9 d1#10 d0#11 d2#12 d1#13 B5@0#14.
        assertThat(s.persisted).containsExactly("d2#5", "d0#6", "d2#7", "d0#11");
        assertThat(s.inputComplete).containsExactly(5L);
        assertThat(s.triggered).containsExactly(5L);
        assertThat(s.blocked()).isEmpty();
    }

    @Test
    void when_barriers_arrive_back_to_back_then_there_is_no_in_flight_input() {
        BarrierScenario s = BarrierScenario.unaligned(3);

        s.offer("d0 d1 B1@0 B1@1 B1@2 d0 d1 d2");

        assertThat(s.triggered).containsExactly(1L);
        assertThat(s.persisted).isEmpty();
        assertThat(s.inputComplete).containsExactly(1L);
    }

    @Test
    void when_a_channel_ends_during_an_unaligned_checkpoint_then_it_counts_as_aligned() {
        BarrierScenario s = BarrierScenario.unaligned(3);

        s.offer("B1@0 d1 EoP@1 d2 B1@2");

        assertThat(s.persisted).containsExactly("d1#2", "d2#4");
        assertThat(s.inputComplete).containsExactly(1L);
        s.offer("B2@0 d2 B2@2");
        assertThat(s.triggered).containsExactly(1L, 2L);
        assertThat(s.inputComplete).containsExactly(1L, 2L);
    }

    @Test
    void when_a_newer_barrier_arrives_before_the_older_checkpoint_collected_its_barriers_then_the_older_is_aborted() {
        BarrierScenario s = BarrierScenario.unaligned(3);

        s.offer("B1@0 d1 B2@1 d2 d0");

        assertThat(s.triggered).containsExactly(1L, 2L);
        assertThat(s.aborted).containsEntry(1L, CHECKPOINT_DECLINED_SUBSUMED);
        assertThat(s.persisted).as("from B2@1 on, 2 persists channels 0 and 2").containsExactly("d1#2", "d2#4", "d0#5");
        s.offer("B2@0 B2@2");
        assertThat(s.inputComplete).containsExactly(2L);
    }

    @Test
    void when_a_cancellation_marker_arrives_then_the_unaligned_checkpoint_stops_persisting() {
        BarrierScenario s = BarrierScenario.unaligned(3);

        s.offer("B1@0 d1 C1@2 d1 d2 B1@1 B1@2");

        assertThat(s.aborted).containsEntry(1L, CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER);
        assertThat(s.persisted).containsExactly("d1#2");
        assertThat(s.inputComplete).isEmpty();
    }

    @Test
    void when_an_aligned_barrier_comes_after_an_unaligned_checkpoint_then_it_aligns_as_a_savepoint_does() {
        BarrierScenario s = BarrierScenario.unaligned(2);
        s.offer("B1@0 d1 B1@1 d0 A2@0");

        assertThat(s.blocked()).containsExactly(0);
        assertThat(s.triggered).containsExactly(1L);
        s.offer("d1 A2@1 d0");
        assertThat(s.triggered).containsExactly(1L, 2L);
        assertThat(s.persisted).as("only the unaligned checkpoint persists input").containsExactly("d1#2");
        assertThat(s.blocked()).isEmpty();
    }

    @Test
    void when_a_channel_ends_behind_its_data_during_an_unaligned_checkpoint_then_the_input_completes_without_waiting_for_it() {
        BarrierScenario s = BarrierScenario.unaligned(2);

        s.offer("B1@0 d1 E@1");
        assertThat(s.inputComplete).as("the end is known before the data in front of it is processed").containsExactly(1L);
        assertThat(s.persisted).containsExactly("d1#2");

        s.offer("d1 EoP@1 B2@0");
        assertThat(s.triggered).containsExactly(1L, 2L);
        assertThat(s.inputComplete).as("one open channel is left").containsExactly(1L, 2L);
    }

    @Test
    void when_a_channel_ends_behind_its_data_then_a_later_aligned_checkpoint_still_waits_for_that_end() {
        BarrierScenario s = BarrierScenario.unaligned(2);
        s.offer("B1@0 E@1 A2@0");

        assertThat(s.blocked()).as("checkpoint 2 is aligned and channel 1 has not ended in order yet").containsExactly(0);
        s.offer("d1 EoP@1");
        assertThat(s.triggered).containsExactly(1L, 2L);
        assertThat(s.blocked()).isEmpty();
    }

    @Test
    void when_a_marker_of_a_later_checkpoint_arrives_then_the_unaligned_checkpoint_already_triggered_is_aborted_too() {
        BarrierScenario s = BarrierScenario.unaligned(3);

        s.offer("B1@0 d1 C3@1 d2");

        assertThat(s.aborted).containsEntry(1L, CHECKPOINT_DECLINED_SUBSUMED)
                .containsEntry(3L, CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER);
        assertThat(s.persisted).containsExactly("d1#2");
        assertThat(s.inputComplete).isEmpty();
    }

    @Test
    void when_a_channel_ends_behind_its_data_without_checkpoints_after_inputs_end_then_the_checkpoint_aborts() {
        BarrierScenario s = BarrierScenario.unaligned(2, false);

        s.offer("B1@0 E@1");

        assertThat(s.aborted).containsEntry(1L, dev.snapflow.engine.checkpoint.CheckpointFailureReason.CHECKPOINT_DECLINED_INPUT_END_OF_STREAM);
        assertThat(s.inputComplete).isEmpty();
    }
}
