package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.runtime.channel.ChannelItem;
import dev.snapflow.engine.runtime.channel.EventItem;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.engine.runtime.gate.InputGate;
import dev.snapflow.engine.state.RestoredState;
import dev.snapflow.serialization.event.EndOfChannelStateEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.snapflow.engine.runtime.subtask.SubtaskFixture.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rule R11: restored in-flight data goes back to the channels it was taken from, ahead of live data. */
class InFlightReplayerTest {

    private final SubtaskFixture fixture = new SubtaskFixture();
    private final ExecutionPlan.Chain middle = fixture.middle();
    private final InFlightChannels channels = fixture.channels(middle);
    private final InputGate<ChannelItem> gate = new InputGate<>(2);
    private final RecordWriter writer = fixture.writer(middle, 8);
    private final InFlightReplayer replayer = new InFlightReplayer(SubtaskFixture.CODEC, channels, 2, "double");

    private static byte[] encode(long... values) throws Exception {
        return SubtaskFixture.CODEC.encode(batch(values));
    }

    /** The items queued on a gate channel: batches as their records, events by class name. */
    private List<Object> queued(int channel) {
        List<Object> items = new ArrayList<>();
        for (ChannelItem item : gate.queued(channel)) {
            if (item instanceof RecordBatch batch) {
                assertThat(batch.tookNoCredit()).as("a replayed batch took no credit").isTrue();
                items.add(Arrays.asList(Arrays.copyOf(batch.records(), batch.size())));
            } else {
                items.add(((EventItem) item).event().getClass().getSimpleName());
            }
        }
        return items;
    }

    @Test
    void each_channels_input_goes_to_its_gate_channel_in_batches_and_its_output_to_its_channel_each_followed_by_end_of_channel_state()
            throws Exception {
        RestoredState restored = new RestoredState(Map.of(
                channels.inputPart(1), List.of(encode(1, 2, 3)),
                channels.outputPart(writer.edgeId(), 0), List.of(encode(7, 8))));

        replayer.replay(restored, gate, List.of(writer));

        assertThat(queued(0)).containsExactly("EndOfChannelStateEvent");
        assertThat(queued(1)).containsExactly(List.of(1L, 2L), List.of(3L), "EndOfChannelStateEvent");
        assertThat(fixture.downstream.pushed).hasSize(2);
        assertThat(fixture.downstream.pushed.get(0)).isInstanceOfSatisfying(RecordBatch.class, batch -> {
            assertThat(batch.tookNoCredit()).as("downstream, replayed output is ordinary data").isFalse();
            assertThat(Arrays.copyOf(batch.records(), batch.size())).containsExactly(7L, 8L);
        });
        assertThat(((EventItem) fixture.downstream.pushed.get(1)).event()).isSameAs(EndOfChannelStateEvent.INSTANCE);
    }

    @Test
    void a_damaged_part_fails_naming_the_part_and_the_chain() {
        String part = channels.inputPart(0);
        RestoredState restored = new RestoredState(Map.of(part, List.of(new byte[]{1, 2, 3})));

        assertThatThrownBy(() -> replayer.replay(restored, gate, List.of(writer)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("The restored in-flight data " + part + " of double cannot be replayed: ");
    }

    @Test
    void input_data_restored_into_a_source_is_refused() throws Exception {
        ExecutionPlan.Chain source = fixture.source();
        InFlightChannels sourceChannels = fixture.channels(source);
        InFlightReplayer sourceReplayer = new InFlightReplayer(SubtaskFixture.CODEC, sourceChannels, 2, "numbers");
        RestoredState restored = new RestoredState(Map.of(channels.inputPart(0), List.of(encode(1))));

        assertThatThrownBy(() -> sourceReplayer.replay(restored, null, List.of(fixture.writer(source, 8))))
                .hasMessageContaining("a source has no input channels");
    }
}
