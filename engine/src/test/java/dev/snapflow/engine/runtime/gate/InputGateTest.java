package dev.snapflow.engine.runtime.gate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InputGateTest {

    private static List<String> drain(InputGate<String> gate) {
        List<String> taken = new ArrayList<>();
        for (int channel = gate.nextChannel(); channel >= 0; channel = gate.nextChannel()) {
            taken.add(gate.take(channel));
        }
        return taken;
    }

    @Test
    void when_channels_have_data_then_they_take_turns_and_keep_their_own_order() {
        InputGate<String> gate = new InputGate<>(3);
        gate.onDelivered(0, List.of("a1", "a2", "a3"));
        gate.onDelivered(2, List.of("c1"));
        gate.onDelivered(1, List.of("b1", "b2"));

        assertThat(drain(gate)).containsExactly("a1", "c1", "b1", "a2", "b2", "a3");
    }

    @Test
    void when_nothing_is_queued_then_no_channel_has_the_turn() {
        InputGate<String> gate = new InputGate<>(2);
        gate.onDelivered(1, List.of());

        assertThat(gate.nextChannel()).isEqualTo(-1);
    }

    @Test
    void when_every_channel_has_ended_then_the_gate_is_finished() {
        InputGate<String> gate = new InputGate<>(2);

        assertThat(gate.markEnded(1)).isFalse();
        assertThat(gate.hasEnded(1)).isTrue();
        assertThat(gate.markEnded(0)).isTrue();
        assertThat(gate.isFinished()).isTrue();
    }
}
