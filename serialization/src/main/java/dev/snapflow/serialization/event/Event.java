package dev.snapflow.serialization.event;

/**
 * Something other than data that travels through a channel: barriers, cancellation markers,
 * end-of-stream markers, recovery markers and user events.
 *
 * <p>The built-in events are the permitted records and enums; users add their own by extending
 * {@link UserEvent}. {@link EventSerializer} turns every event into bytes and back.
 */
public sealed interface Event
        permits EndOfPartitionEvent, CheckpointBarrier, EndOfSuperstepEvent, EndOfChannelStateEvent,
                CancelCheckpointMarker, EventAnnouncement, SubtaskConnectionDescriptor,
                ChannelUnavailableEvent, EndOfData, EndOfSegmentEvent, RecoveryMetadata, UserEvent {
}
