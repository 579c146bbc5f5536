package dev.snapflow.engine.testing;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one subtask of a function under test wrote for a checkpoint, in the formats a job's
 * checkpoint holds: keyed state, operator list state and a {@code CheckpointedFunction}'s bytes.
 * Restore it into a new harness with {@link FunctionTestHarness#initializeState}.
 *
 * @param checkpointId   the checkpoint it was taken for
 * @param subtaskIndex   the subtask that took it
 * @param parallelism    the parallelism that subtask ran with
 * @param maxParallelism its number of key groups
 * @param parts          the state, by part (empty when the function keeps no state)
 */
public record OperatorSnapshot(long checkpointId, int subtaskIndex, int parallelism, int maxParallelism,
                               Map<String, byte[]> parts) {

    public OperatorSnapshot {
        parts = java.util.Collections.unmodifiableMap(new TreeMap<>(parts));
    }

    /** Bytes written, over all parts. */
    public long sizeInBytes() {
        return parts.values().stream().mapToLong(bytes -> bytes.length).sum();
    }
}
