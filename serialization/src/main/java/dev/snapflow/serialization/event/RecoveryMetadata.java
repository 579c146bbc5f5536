package dev.snapflow.serialization.event;

/**
 * Carries recovery information for a consumer that reads several subpartitions through one
 * channel: which subpartition holds the final recovered buffer. Kept for wire compatibility with
 * Flink's tag 10.
 *
 * @param finalBufferSubpartitionId the subpartition of the final recovered buffer, {@code >= 0}
 */
public record RecoveryMetadata(int finalBufferSubpartitionId) implements Event {
    public RecoveryMetadata {
        if (finalBufferSubpartitionId < 0) {
            throw new IllegalArgumentException(
                    "finalBufferSubpartitionId must be >= 0, was " + finalBufferSubpartitionId);
        }
    }
}
