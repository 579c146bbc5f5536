package dev.snapflow.engine.runtime.subtask;

/**
 * Counts the output channels of a subtask that hold batches they may not send yet. Shared by the
 * subtask's record writers so that the read loop checks one field per record. Actor-confined.
 */
final class OutputPressure {

    /** Output channels with parked items, {@code >= 0}. */
    private int blockedChannels;

    void channelBlocked() {
        blockedChannels++;
    }

    void channelUnblocked() {
        blockedChannels--;
    }

    boolean isBackpressured() {
        return blockedChannels > 0;
    }
}
