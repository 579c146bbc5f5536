package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.runtime.channel.ChannelItem;
import dev.snapflow.engine.runtime.channel.EventItem;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.serialization.event.EndOfPartitionEvent;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecordWriterTest {

    /** Records what the writer pushes, per target channel. */
    private static final class RecordingPort implements RecordWriter.ChannelPort {
        final List<List<ChannelItem>> pushed = new ArrayList<>();

        RecordingPort(int channels) {
            for (int i = 0; i < channels; i++) {
                pushed.add(new ArrayList<>());
            }
        }

        @Override
        public void push(int edgeId, int target, ChannelItem item) {
            pushed.get(target).add(item);
        }

        List<Object> records(int target) {
            List<Object> records = new ArrayList<>();
            for (ChannelItem item : pushed.get(target)) {
                if (item instanceof RecordBatch batch) {
                    for (int i = 0; i < batch.size(); i++) {
                        records.add(batch.record(i));
                    }
                }
            }
            return records;
        }
    }

    @Test
    void when_a_channel_crosses_nodes_then_its_batches_hold_the_larger_size_and_the_others_keep_theirs() {
        RecordingPort port = new RecordingPort(2);
        RecordWriter writer = new RecordWriter(0, "op", record -> (Integer) record % 2, 2, 2, 8, port, new OutputPressure());
        writer.useBatchSize(1, 3);

        for (int i = 0; i < 12; i++) {
            writer.collect(i);
        }

        assertThat(port.pushed.get(0)).extracting(item -> ((RecordBatch) item).size()).containsExactly(2, 2, 2);
        assertThat(port.pushed.get(1)).extracting(item -> ((RecordBatch) item).size()).containsExactly(3, 3);
        assertThat(port.records(1)).containsExactly(1, 3, 5, 7, 9, 11);
    }

    @Test
    void when_a_batch_fills_up_then_it_is_sent_and_partial_batches_wait_for_flush() {
        RecordingPort port = new RecordingPort(1);
        RecordWriter writer = new RecordWriter(0, "op", record -> 0, 1, 2, 4, port, new OutputPressure());

        writer.collect("a");
        assertThat(port.pushed.get(0)).isEmpty();
        writer.collect("b");
        writer.collect("c");
        assertThat(port.records(0)).containsExactly("a", "b");

        writer.flush();
        assertThat(port.records(0)).containsExactly("a", "b", "c");
        assertThat(writer.recordsOut()).isEqualTo(3);
    }

    @Test
    @DisplayName("C5, C6: without free slots batches park, the subtask is backpressured, and a release sends them in order")
    void rule_C6_when_slots_run_out_then_batches_park_until_released() {
        RecordingPort port = new RecordingPort(1);
        OutputPressure pressure = new OutputPressure();
        RecordWriter writer = new RecordWriter(0, "op", record -> 0, 1, 1, 2, port, pressure);

        writer.collect(1);
        writer.collect(2);
        assertThat(pressure.isBackpressured()).isFalse();
        writer.collect(3);
        writer.emitEvent(EndOfPartitionEvent.INSTANCE);

        assertThat(port.records(0)).containsExactly(1, 2);
        assertThat(pressure.isBackpressured()).isTrue();
        assertThat(writer.hasParkedItems()).isTrue();

        writer.onReleased(0, 1);

        assertThat(port.records(0)).containsExactly(1, 2, 3);
        assertThat(port.pushed.get(0).get(3)).isEqualTo(new EventItem(EndOfPartitionEvent.INSTANCE, false));
        assertThat(pressure.isBackpressured()).isFalse();
    }

    @Test
    void when_broadcasting_then_every_channel_gets_every_record() {
        RecordingPort port = new RecordingPort(3);
        RecordWriter writer = new RecordWriter(0, "op", null, 3, 10, 4, port, new OutputPressure());

        writer.collect("x");
        writer.collect("y");
        writer.flush();

        for (int target = 0; target < 3; target++) {
            assertThat(port.records(target)).containsExactly("x", "y");
        }
        assertThat(writer.recordsOut()).isEqualTo(6);
    }

    @Test
    void when_rebalancing_then_records_go_round_robin_from_a_producer_specific_start() {
        RecordingPort port = new RecordingPort(3);
        RecordWriter writer = new RecordWriter(0, "op", new ChannelSelector.RoundRobin(3, 1), 3, 10, 4, port,
                new OutputPressure());

        for (int i = 0; i < 6; i++) {
            writer.collect(i);
        }
        writer.flush();

        assertThat(port.records(1)).containsExactly(0, 3);
        assertThat(port.records(2)).containsExactly(1, 4);
        assertThat(port.records(0)).containsExactly(2, 5);
    }

    @Test
    void when_two_channels_are_blocked_then_pressure_lasts_until_both_are_released() {
        RecordingPort port = new RecordingPort(2);
        OutputPressure pressure = new OutputPressure();
        RecordWriter writer = new RecordWriter(0, "op", null, 2, 1, 1, port, pressure);
        writer.collect("a");
        writer.collect("b");
        assertThat(pressure.isBackpressured()).isTrue();

        writer.onReleased(0, 1);
        assertThat(pressure.isBackpressured()).isTrue();
        writer.onReleased(1, 1);
        assertThat(pressure.isBackpressured()).isFalse();
    }
}
