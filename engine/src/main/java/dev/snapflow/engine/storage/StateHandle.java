package dev.snapflow.engine.storage;

import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.state.SharedStateRef;

import java.util.List;
import java.util.Objects;

/**
 * Where a subtask's state of one checkpoint was written, as the subtask acknowledges it.
 *
 * @param checkpointId the checkpoint
 * @param subtask      whose state it is
 * @param location     storage-specific: a file name for the filesystem, a key in memory
 * @param sizeBytes    bytes of state written
 * @param checksum     CRC32C of what was written, where the storage keeps one; 0 otherwise
 * @param sharedFiles  the shared files of incremental keyed state the state refers to, which this
 *                     or earlier checkpoints wrote
 */
public record StateHandle(long checkpointId, SubtaskId subtask, String location, long sizeBytes, long checksum,
                          List<SharedStateRef> sharedFiles) {
    public StateHandle {
        Objects.requireNonNull(subtask, "subtask");
        Objects.requireNonNull(location, "location");
        sharedFiles = sharedFiles == null ? List.of() : List.copyOf(sharedFiles);
    }

    /** A handle of state that refers to no shared files. */
    public StateHandle(long checkpointId, SubtaskId subtask, String location, long sizeBytes, long checksum) {
        this(checkpointId, subtask, location, sizeBytes, checksum, List.of());
    }

    /** The bytes of state the checkpoint holds for the subtask: its state file and the shared files it refers to. */
    public long stateBytes() {
        return sizeBytes + sharedFiles.stream().mapToLong(SharedStateRef::sizeBytes).sum();
    }

    /** Of {@link #stateBytes()}, what checkpoint {@code checkpointId} wrote itself. */
    public long writtenBytes() {
        return sizeBytes + sharedFiles.stream().filter(file -> file.writtenBy() == checkpointId)
                .mapToLong(SharedStateRef::sizeBytes).sum();
    }
}
