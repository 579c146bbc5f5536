package dev.snapflow.serialization.buffer;

import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.EndOfChannelStateEvent;
import dev.snapflow.serialization.event.EndOfData;
import dev.snapflow.serialization.event.EndOfPartitionEvent;
import dev.snapflow.serialization.event.Event;

import java.util.Optional;

/**
 * What a buffer holds and how channels treat it. The declaration order is Flink's, because the
 * ordinal is the byte on the wire: never reorder, only append.
 */
public enum DataType {
    /** Not a buffer; never on the wire. */
    NONE(false, false, false, false, false),
    /** Serialized records. */
    DATA_BUFFER(true, false, false, false, false),
    /** An ordinary event, delivered in order. */
    EVENT_BUFFER(false, true, false, false, false),
    /** An event that jumps ahead of queued buffers, such as an unaligned barrier. */
    PRIORITIZED_EVENT_BUFFER(false, true, false, true, false),
    /** An aligned barrier: the producer stops sending on this channel until the consumer resumes it. */
    ALIGNED_CHECKPOINT_BARRIER(false, true, true, false, false),
    /** An aligned barrier that may time out into unaligned; the consumer announces it on arrival. */
    TIMEOUTABLE_ALIGNED_CHECKPOINT_BARRIER(false, true, true, false, true),
    /** The end of replayed in-flight data (EndOfChannelStateEvent); blocks until recovery completes. */
    RECOVERY_COMPLETION(false, true, true, false, false),
    /** End of a hybrid-shuffle segment. */
    END_OF_SEGMENT(false, true, false, false, false),
    /** Serialized records whose end is a record boundary. */
    DATA_BUFFER_WITH_CLEAR_END(true, false, false, false, false),
    /** The EndOfData event. */
    END_OF_DATA(false, true, false, false, false),
    /** The EndOfPartitionEvent. */
    END_OF_PARTITION(false, true, false, false, false),
    /** The RecoveryMetadata event. */
    RECOVERY_METADATA(false, true, false, false, false);

    private final boolean isBuffer;
    private final boolean isEvent;
    private final boolean isBlockingUpstream;
    private final boolean hasPriority;
    private final boolean requiresAnnouncement;

    DataType(boolean isBuffer, boolean isEvent, boolean isBlockingUpstream, boolean hasPriority,
             boolean requiresAnnouncement) {
        if (hasPriority && requiresAnnouncement) {
            throw new IllegalStateException("A prioritized data type cannot also require an announcement");
        }
        this.isBuffer = isBuffer;
        this.isEvent = isEvent;
        this.isBlockingUpstream = isBlockingUpstream;
        this.hasPriority = hasPriority;
        this.requiresAnnouncement = requiresAnnouncement;
    }

    /**
     * The data type of a buffer carrying {@code event}, by Flink's rules in this order: priority;
     * end of channel state; end of data; end of partition; any other non-barrier; an aligned
     * barrier (timeoutable or not); any other barrier.
     */
    public static DataType forEvent(Event event, boolean hasPriority) {
        if (hasPriority) {
            return PRIORITIZED_EVENT_BUFFER;
        }
        if (event instanceof EndOfChannelStateEvent) {
            return RECOVERY_COMPLETION;
        }
        if (event instanceof EndOfData) {
            return END_OF_DATA;
        }
        if (event instanceof EndOfPartitionEvent) {
            return END_OF_PARTITION;
        }
        if (!(event instanceof CheckpointBarrier barrier)) {
            return EVENT_BUFFER;
        }
        if (barrier.options().needsAlignment()) {
            return barrier.options().isTimeoutable() ? TIMEOUTABLE_ALIGNED_CHECKPOINT_BARRIER : ALIGNED_CHECKPOINT_BARRIER;
        }
        return EVENT_BUFFER;
    }

    /** The data type whose wire code (ordinal) is {@code code}, or empty if there is none. */
    public static Optional<DataType> fromCode(int code) {
        DataType[] values = values();
        return code >= 0 && code < values.length ? Optional.of(values[code]) : Optional.empty();
    }

    public boolean isBuffer() {
        return isBuffer;
    }

    public boolean isEvent() {
        return isEvent;
    }

    /** True if the producer must stop sending on the channel after this, until resumed. */
    public boolean isBlockingUpstream() {
        return isBlockingUpstream;
    }

    public boolean hasPriority() {
        return hasPriority;
    }

    /** True if the consumer announces this buffer with an EventAnnouncement on arrival. */
    public boolean requiresAnnouncement() {
        return requiresAnnouncement;
    }
}
