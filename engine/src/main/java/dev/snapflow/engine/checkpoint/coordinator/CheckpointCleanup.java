package dev.snapflow.engine.checkpoint.coordinator;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a coordinator's checkpoints and savepoints are written and when their files go: a
 * savepoint in progress has a directory of its own (and someone waiting for it); a checkpoint whose
 * metadata is being written must survive any late message about it; a checkpoint that failed, was
 * evicted, or is named by a late message nobody keeps is deleted. The actor carries the deletions
 * out. Actor-confined.
 *
 * @param <R> who waits for a savepoint
 */
final class CheckpointCleanup<R> {

    /** Files to delete. */
    sealed interface Deletion {
        /** What goes, as a log line says it. */
        String describe();

        /** A checkpoint's directory in the job's checkpoint storage. */
        record Checkpoint(long checkpointId) implements Deletion {
            @Override
            public String describe() {
                return "checkpoint " + checkpointId;
            }
        }

        /** A failed savepoint's own directory. */
        record Savepoint(Path directory) implements Deletion {
            @Override
            public String describe() {
                return "the failed savepoint " + directory;
            }
        }
    }

    /** A savepoint in progress: its directory and who waits for it. */
    record PendingSavepoint<R>(long checkpointId, Path directory, R replyTo) {
    }

    private final Map<Long, PendingSavepoint<R>> savepoints = new HashMap<>();
    private final Set<Long> finalizing = new HashSet<>();

    void savepointTriggered(long checkpointId, Path directory, R replyTo) {
        savepoints.put(checkpointId, new PendingSavepoint<>(checkpointId, directory, replyTo));
    }

    boolean isSavepoint(long checkpointId) {
        return savepoints.containsKey(checkpointId);
    }

    /** The savepoint in progress with this id, whose metadata goes into its own directory; empty for a checkpoint. */
    Optional<PendingSavepoint<R>> savepoint(long checkpointId) {
        return Optional.ofNullable(savepoints.get(checkpointId));
    }

    /** Every subtask acknowledged it: its metadata is being written. */
    void finalizing(long checkpointId) {
        finalizing.add(checkpointId);
    }

    /**
     * Its metadata is written (or failed to be): for a savepoint, who waits for it, which it no
     * longer tracks.
     */
    Optional<PendingSavepoint<R>> finalized(long checkpointId) {
        finalizing.remove(checkpointId);
        return Optional.ofNullable(savepoints.remove(checkpointId));
    }

    /**
     * A message about a checkpoint the coordinator no longer tracks (a late acknowledgement): what
     * it wrote goes, unless the checkpoint is still being finalized, is a savepoint or is retained.
     */
    Optional<Deletion> onIgnored(long checkpointId, Collection<Long> retained) {
        if (finalizing.contains(checkpointId) || savepoints.containsKey(checkpointId) || retained.contains(checkpointId)) {
            return Optional.empty();
        }
        return Optional.of(new Deletion.Checkpoint(checkpointId));
    }

    /** A checkpoint failed: what it wrote goes. The savepoint's waiter, if it was one, is in the deletion. */
    Aborted<R> onAborted(long checkpointId) {
        finalizing.remove(checkpointId);
        PendingSavepoint<R> savepoint = savepoints.remove(checkpointId);
        return savepoint == null
                ? new Aborted<>(new Deletion.Checkpoint(checkpointId), Optional.empty())
                : new Aborted<>(new Deletion.Savepoint(savepoint.directory()), Optional.of(savepoint));
    }

    /** What an aborted checkpoint leaves to do: delete its files, and tell the savepoint's waiter, if any. */
    record Aborted<R>(Deletion deletion, Optional<PendingSavepoint<R>> savepoint) {
    }

    /** The coordinator stops: the checkpoints still in progress will never complete. */
    List<Aborted<R>> onStopped(Collection<Long> pendingIds) {
        return pendingIds.stream().map(this::onAborted).toList();
    }
}
