package dev.snapflow.serialization.event;

/**
 * Tells a consumer that one of its input channels became unavailable (its producer is gone, for
 * example a lost cluster node), so that it stops waiting on that channel and reports the failure.
 * Snapflow's own event; Flink has no counterpart, so it uses a tag outside Flink's range.
 *
 * @param channelIndex the consumer's input channel index, {@code >= 0}
 */
public record ChannelUnavailableEvent(int channelIndex) implements Event {
    public ChannelUnavailableEvent {
        if (channelIndex < 0) {
            throw new IllegalArgumentException("channelIndex must be >= 0, was " + channelIndex);
        }
    }
}
