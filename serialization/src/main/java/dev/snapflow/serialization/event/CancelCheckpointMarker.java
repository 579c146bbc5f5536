package dev.snapflow.serialization.event;

/**
 * Tells downstream subtasks that checkpoint {@code checkpointId} was aborted, so that a consumer
 * aligning on it stops waiting for the rest of its barriers and releases its channels.
 *
 * @param checkpointId the aborted checkpoint, {@code >= 0}
 */
public record CancelCheckpointMarker(long checkpointId) implements Event {
    public CancelCheckpointMarker {
        if (checkpointId < 0) {
            throw new IllegalArgumentException("checkpointId must be >= 0, was " + checkpointId);
        }
    }
}
