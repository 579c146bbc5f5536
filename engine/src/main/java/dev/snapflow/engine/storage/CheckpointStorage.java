package dev.snapflow.engine.storage;

import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.state.SharedStateStore;
import dev.snapflow.engine.state.SubtaskState;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where checkpoints live. Subtasks write their own state (off their actor's thread); the
 * coordinator writes the metadata last, which is what makes a checkpoint complete; a checkpoint
 * without metadata does not exist for {@link #latestCompleted()}. Shared files of incremental keyed
 * state ({@link SharedStateStore}) belong to every checkpoint that refers to them, and are deleted
 * when the last one that does is. Implementations are thread-safe.
 */
public interface CheckpointStorage extends SharedStateStore {

    StateHandle writeState(long checkpointId, SubtaskId subtask, SubtaskState state) throws IOException;

    SubtaskState readState(StateHandle handle) throws IOException;

    /** Makes the checkpoint complete; must be atomic: either all of it is visible, or none. */
    void writeMetadata(CheckpointMetadata metadata) throws IOException;

    /**
     * Deletes everything of a checkpoint (completed, aborted or subsumed), and the shared files it
     * wrote or referred to that no other completed checkpoint refers to.
     */
    void discard(long checkpointId) throws IOException;

    /** The metadata of a completed checkpoint, or empty if there is no such checkpoint. */
    Optional<CheckpointMetadata> readMetadata(long checkpointId) throws IOException;

    /** The ids of completed checkpoints, oldest first. */
    List<Long> completedCheckpointIds() throws IOException;

    /** The newest completed checkpoint whose metadata and state can be read back intact. */
    Optional<CheckpointMetadata> latestCompleted() throws IOException;
}
