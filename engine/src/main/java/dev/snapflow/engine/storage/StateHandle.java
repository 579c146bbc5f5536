package dev.snapflow.engine.storage;

import dev.snapflow.engine.graph.SubtaskId;

import java.util.Objects;

/**
 * Where a subtask's state of one checkpoint was written, as the subtask acknowledges it.
 *
 * @param checkpointId the checkpoint
 * @param subtask      whose state it is
 * @param location     storage-specific: a file name for the filesystem, a key in memory
 * @param sizeBytes    bytes of state written
 * @param checksum     CRC32C of what was written, where the storage keeps one; 0 otherwise
 */
public record StateHandle(long checkpointId, SubtaskId subtask, String location, long sizeBytes, long checksum) {
    public StateHandle {
        Objects.requireNonNull(subtask, "subtask");
        Objects.requireNonNull(location, "location");
    }
}
