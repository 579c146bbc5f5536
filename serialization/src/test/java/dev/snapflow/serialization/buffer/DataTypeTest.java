package dev.snapflow.serialization.buffer;

import dev.snapflow.serialization.event.CancelCheckpointMarker;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.CheckpointOptions;
import dev.snapflow.serialization.event.CheckpointStorageLocationReference;
import dev.snapflow.serialization.event.CheckpointType;
import dev.snapflow.serialization.event.EndOfChannelStateEvent;
import dev.snapflow.serialization.event.EndOfData;
import dev.snapflow.serialization.event.EndOfPartitionEvent;
import dev.snapflow.serialization.event.RecoveryMetadata;
import dev.snapflow.serialization.event.SavepointFormatType;
import dev.snapflow.serialization.event.SavepointType;
import dev.snapflow.serialization.event.StopMode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DataTypeTest {

    private static CheckpointBarrier barrier(CheckpointOptions options) {
        return new CheckpointBarrier(1, 0, options);
    }

    @Test
    void when_wire_codes_are_read_then_they_are_flinks_ordinals() {
        assertThat(DataType.values()).containsExactly(
                DataType.NONE, DataType.DATA_BUFFER, DataType.EVENT_BUFFER, DataType.PRIORITIZED_EVENT_BUFFER,
                DataType.ALIGNED_CHECKPOINT_BARRIER, DataType.TIMEOUTABLE_ALIGNED_CHECKPOINT_BARRIER,
                DataType.RECOVERY_COMPLETION, DataType.END_OF_SEGMENT, DataType.DATA_BUFFER_WITH_CLEAR_END,
                DataType.END_OF_DATA, DataType.END_OF_PARTITION, DataType.RECOVERY_METADATA);
        assertThat(DataType.fromCode(4)).contains(DataType.ALIGNED_CHECKPOINT_BARRIER);
        assertThat(DataType.fromCode(12)).isEmpty();
        assertThat(DataType.fromCode(-1)).isEmpty();
    }

    @Test
    void when_event_has_priority_then_it_is_a_prioritized_event_buffer_whatever_it_is() {
        assertThat(DataType.forEvent(EndOfPartitionEvent.INSTANCE, true)).isEqualTo(DataType.PRIORITIZED_EVENT_BUFFER);
        assertThat(DataType.forEvent(barrier(CheckpointOptions.unaligned(CheckpointType.CHECKPOINT,
                CheckpointStorageLocationReference.DEFAULT)), true)).isEqualTo(DataType.PRIORITIZED_EVENT_BUFFER);
    }

    @Test
    void when_event_is_a_stream_marker_then_it_has_its_own_type() {
        assertThat(DataType.forEvent(EndOfChannelStateEvent.INSTANCE, false)).isEqualTo(DataType.RECOVERY_COMPLETION);
        assertThat(DataType.forEvent(new EndOfData(StopMode.DRAIN), false)).isEqualTo(DataType.END_OF_DATA);
        assertThat(DataType.forEvent(EndOfPartitionEvent.INSTANCE, false)).isEqualTo(DataType.END_OF_PARTITION);
        assertThat(DataType.forEvent(new CancelCheckpointMarker(3), false)).isEqualTo(DataType.EVENT_BUFFER);
        assertThat(DataType.forEvent(new RecoveryMetadata(3), false)).isEqualTo(DataType.EVENT_BUFFER);
    }

    @Test
    void when_barrier_needs_alignment_then_it_blocks_upstream() {
        DataType aligned = DataType.forEvent(barrier(CheckpointOptions.forCheckpointWithDefaultLocation()), false);
        DataType savepoint = DataType.forEvent(barrier(CheckpointOptions.aligned(
                SavepointType.savepoint(SavepointFormatType.CANONICAL), CheckpointStorageLocationReference.DEFAULT)), false);
        DataType timeoutable = DataType.forEvent(barrier(CheckpointOptions.alignedWithTimeout(
                CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.DEFAULT, 10)), false);

        assertThat(aligned).isEqualTo(DataType.ALIGNED_CHECKPOINT_BARRIER);
        assertThat(savepoint).isEqualTo(DataType.ALIGNED_CHECKPOINT_BARRIER);
        assertThat(timeoutable).isEqualTo(DataType.TIMEOUTABLE_ALIGNED_CHECKPOINT_BARRIER);
        assertThat(aligned.isBlockingUpstream()).isTrue();
        assertThat(timeoutable.isBlockingUpstream()).isTrue();
        assertThat(timeoutable.requiresAnnouncement()).isTrue();
    }

    @Test
    void when_barrier_needs_no_alignment_then_it_is_a_plain_event_buffer() {
        assertThat(DataType.forEvent(barrier(CheckpointOptions.atLeastOnce(CheckpointType.CHECKPOINT,
                CheckpointStorageLocationReference.DEFAULT)), false)).isEqualTo(DataType.EVENT_BUFFER);
        assertThat(DataType.forEvent(barrier(CheckpointOptions.unaligned(CheckpointType.CHECKPOINT,
                CheckpointStorageLocationReference.DEFAULT)), false)).isEqualTo(DataType.EVENT_BUFFER);
    }

    @Test
    void when_no_type_has_priority_it_needs_no_announcement() {
        for (DataType type : DataType.values()) {
            assertThat(type.hasPriority() && type.requiresAnnouncement()).as(type.name()).isFalse();
        }
    }
}
