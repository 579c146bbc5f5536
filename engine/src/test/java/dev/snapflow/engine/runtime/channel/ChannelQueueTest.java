package dev.snapflow.engine.runtime.channel;

import dev.snapflow.serialization.event.CancelCheckpointMarker;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.CheckpointOptions;
import dev.snapflow.serialization.event.CheckpointStorageLocationReference;
import dev.snapflow.serialization.event.CheckpointType;
import dev.snapflow.serialization.event.EndOfPartitionEvent;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelQueueTest {

    private static RecordBatch batch(Object... records) {
        return new RecordBatch(records, records.length);
    }

    private static final EventItem END = new EventItem(EndOfPartitionEvent.INSTANCE, false);

    @Test
    @DisplayName("C2: a data batch is delivered only against a credit")
    void rule_C2_when_no_credit_then_nothing_is_delivered() {
        ChannelQueue queue = new ChannelQueue(4);
        queue.enqueue(batch(1));

        assertThat(queue.drain().items()).isEmpty();

        queue.grant(1);
        ChannelQueue.Delivery delivery = queue.drain();
        assertThat(delivery.items()).hasSize(1);
        assertThat(delivery.deliveredData()).isEqualTo(1);
        assertThat(queue.credit()).isZero();
    }

    @Test
    @DisplayName("C3: events need no credit but never overtake the data before them")
    void rule_C3_when_an_event_follows_data_then_it_waits_for_that_data() {
        ChannelQueue queue = new ChannelQueue(4);
        RecordBatch first = batch(1);
        RecordBatch second = batch(2);
        queue.enqueue(first);
        queue.enqueue(second);
        queue.enqueue(END);
        queue.grant(1);

        assertThat(queue.drain().items()).containsExactly(first);
        queue.grant(1);
        ChannelQueue.Delivery rest = queue.drain();
        assertThat(rest.items()).containsExactly(second, END);
        assertThat(rest.backlog()).isZero();
    }

    @Test
    @DisplayName("C3: an event at the head is delivered without credit")
    void rule_C3_when_an_event_is_at_the_head_then_it_goes_without_credit() {
        ChannelQueue queue = new ChannelQueue(4);
        queue.enqueue(END);

        assertThat(queue.drain().items()).containsExactly(END);
    }

    @Test
    @DisplayName("C4: the consumer hears once when data starts waiting for credit")
    void rule_C4_when_data_waits_without_credit_then_the_consumer_is_told_once() {
        ChannelQueue queue = new ChannelQueue(4);

        assertThat(queue.enqueue(batch(1))).isTrue();
        assertThat(queue.enqueue(batch(2))).isFalse();
        assertThat(queue.enqueue(END)).isFalse();
    }

    @Test
    @DisplayName("C4: no announcement while credit is available")
    void rule_C4_when_credit_is_available_then_no_announcement() {
        ChannelQueue queue = new ChannelQueue(4);
        queue.grant(1);

        assertThat(queue.enqueue(batch(1))).isFalse();
    }

    @Test
    @DisplayName("C5: a producer never pushes more batches than the capacity")
    void rule_C5_when_the_channel_is_full_then_another_batch_is_a_protocol_violation() {
        ChannelQueue queue = new ChannelQueue(2);
        queue.enqueue(batch(1));
        queue.enqueue(batch(2));
        queue.enqueue(END);

        assertThatThrownBy(() -> queue.enqueue(batch(3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Rule C5");
        assertThat(queue.maxQueuedData()).isEqualTo(2);
    }

    @Test
    @DisplayName("C7: a priority event goes ahead of data, behind earlier priority events")
    void rule_C7_when_a_priority_event_arrives_then_it_overtakes_the_queued_data() {
        ChannelQueue queue = new ChannelQueue(4);
        RecordBatch first = batch(1);
        RecordBatch second = batch(2);
        EventItem marker1 = new EventItem(new CancelCheckpointMarker(1), true);
        EventItem marker2 = new EventItem(new CancelCheckpointMarker(2), true);
        queue.enqueue(first);
        queue.enqueue(second);
        queue.enqueue(marker1);

        List<RecordBatch> overtaken = queue.enqueuePriority(marker2);

        assertThat(overtaken).containsExactly(first, second);
        assertThat(queue.drain().items()).containsExactly(marker1, marker2);
    }

    @Test
    @DisplayName("C7: a priority barrier replaces its checkpoint's queued in-order barrier and overtakes only the data in front of it")
    void rule_C7_when_a_timed_out_barrier_is_sent_ahead_then_it_replaces_its_queued_copy() {
        ChannelQueue queue = new ChannelQueue(4);
        RecordBatch before = batch(1);
        RecordBatch after = batch(2);
        CheckpointBarrier aligned = new CheckpointBarrier(5, 0, CheckpointOptions.alignedWithTimeout(CheckpointType.CHECKPOINT,
                CheckpointStorageLocationReference.DEFAULT, 10));
        queue.enqueue(before);
        queue.enqueue(new EventItem(aligned, false));
        queue.enqueue(after);
        EventItem priority = new EventItem(new CheckpointBarrier(5, 0, aligned.options().toUnaligned()), true);

        List<RecordBatch> overtaken = queue.enqueuePriority(priority);
        queue.grant(4);

        assertThat(overtaken).containsExactly(before);
        assertThat(queue.drain().items()).containsExactly(priority, before, after);
    }

    @Test
    void when_credits_are_granted_then_backlog_and_counters_follow() {
        ChannelQueue queue = new ChannelQueue(4);
        queue.enqueue(batch(1));
        queue.enqueue(batch(2));
        queue.enqueue(batch(3));
        queue.grant(2);

        ChannelQueue.Delivery delivery = queue.drain();

        assertThat(delivery.deliveredData()).isEqualTo(2);
        assertThat(delivery.backlog()).isEqualTo(1);
        assertThat(queue.deliveredData()).isEqualTo(2);
        assertThat(queue.queuedData()).isEqualTo(1);
    }
}
