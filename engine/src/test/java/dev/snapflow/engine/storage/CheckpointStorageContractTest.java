package dev.snapflow.engine.storage;

import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.state.KeyedStateChain;
import dev.snapflow.engine.state.SharedStateRef;
import dev.snapflow.engine.state.SubtaskState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link CheckpointStorage} must do; one subclass per implementation. */
abstract class CheckpointStorageContractTest {

    static final SubtaskId A = new SubtaskId(0, 0);
    static final SubtaskId B = new SubtaskId(1, 2);

    CheckpointStorage storage;

    abstract CheckpointStorage createStorage() throws IOException;

    @BeforeEach
    void setUp() throws IOException {
        storage = createStorage();
    }

    static SubtaskState state(String operator, int... bytes) {
        byte[] array = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            array[i] = (byte) bytes[i];
        }
        return SubtaskState.of(Map.of(operator, array, "other", new byte[0]));
    }

    CheckpointMetadata complete(long id) throws IOException {
        StateHandle a = storage.writeState(id, A, state("source", 1, 2, 3));
        StateHandle b = storage.writeState(id, B, state("count", (int) id));
        CheckpointMetadata metadata = new CheckpointMetadata("job", id, 1000 + id, 2000 + id, Map.of(A, a, B, b));
        storage.writeMetadata(metadata);
        return metadata;
    }

    @Test
    void when_state_is_written_then_it_reads_back_equal() throws IOException {
        SubtaskState state = state("source", 9, 8, 7);

        StateHandle handle = storage.writeState(3, A, state);

        assertThat(storage.readState(handle)).isEqualTo(state);
        assertThat(handle.subtask()).isEqualTo(A);
        assertThat(handle.checkpointId()).isEqualTo(3);
    }

    @Test
    void when_only_state_is_written_then_the_checkpoint_is_not_complete() throws IOException {
        storage.writeState(1, A, state("source", 1));

        assertThat(storage.completedCheckpointIds()).isEmpty();
        assertThat(storage.latestCompleted()).isEmpty();
        assertThat(storage.readMetadata(1)).isEmpty();
    }

    @Test
    void when_metadata_is_written_then_the_checkpoint_is_complete_and_the_newest_is_latest() throws IOException {
        complete(1);
        CheckpointMetadata second = complete(2);

        assertThat(storage.completedCheckpointIds()).containsExactly(1L, 2L);
        assertThat(storage.latestCompleted()).contains(second);
        assertThat(storage.readMetadata(2)).contains(second);
        assertThat(storage.readState(second.states().get(B))).isEqualTo(state("count", 2));
    }

    @Test
    void when_a_checkpoint_is_discarded_then_nothing_of_it_remains() throws IOException {
        CheckpointMetadata first = complete(1);
        complete(2);

        storage.discard(1);
        storage.discard(7);

        assertThat(storage.completedCheckpointIds()).containsExactly(2L);
        assertThatThrownBy(() -> storage.readState(first.states().get(A))).isInstanceOf(IOException.class);
    }

    @Test
    void when_a_checkpoint_was_discarded_then_late_state_writes_for_it_are_refused_and_leave_nothing() throws IOException {
        storage.writeState(4, A, state("source", 1));
        storage.discard(4);

        assertThatThrownBy(() -> storage.writeState(4, B, state("count", 2)))
                .isInstanceOf(IOException.class)
                .hasMessage("Checkpoint 4 was already discarded");
        assertThat(storage.completedCheckpointIds()).isEmpty();
    }

    @Test
    void when_metadata_refers_to_missing_state_then_it_is_refused() {
        StateHandle missing = new StateHandle(5, A, "nowhere", 3, 0);

        assertThatThrownBy(() -> storage.writeMetadata(new CheckpointMetadata("job", 5, 0, 0, Map.of(A, missing))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("missing");
    }

    /** Completes checkpoint {@code id} with subtask A's keyed state a chain of {@code files}. */
    CheckpointMetadata completeWithChain(long id, SharedStateRef... files) throws IOException {
        SubtaskState keyed = SubtaskState.of(Map.of("sum/keyed", KeyedStateChain.encode(128, List.of(files))));
        StateHandle a = storage.writeState(id, A, keyed);
        CheckpointMetadata metadata = new CheckpointMetadata("job", id, 1000 + id, 2000 + id, Map.of(A, a));
        storage.writeMetadata(metadata);
        return metadata;
    }

    @Test
    void when_shared_state_is_written_then_it_reads_back_and_the_handle_lists_it() throws IOException {
        SharedStateRef file = storage.write(1, new byte[]{1, 2, 3});

        CheckpointMetadata metadata = completeWithChain(1, file);

        assertThat(storage.read(file)).containsExactly(1, 2, 3);
        assertThat(file.writtenBy()).isEqualTo(1);
        assertThat(storage.readMetadata(1).orElseThrow().states().get(A).sharedFiles()).containsExactly(file);
        assertThat(metadata.states().get(A).stateBytes()).isEqualTo(metadata.states().get(A).sizeBytes() + 3);
    }

    @Test
    void when_a_checkpoint_is_discarded_then_shared_files_a_kept_checkpoint_refers_to_stay() throws IOException {
        SharedStateRef full = storage.write(1, new byte[]{1});
        completeWithChain(1, full);
        SharedStateRef delta2 = storage.write(2, new byte[]{2});
        completeWithChain(2, full, delta2);
        SharedStateRef delta3 = storage.write(3, new byte[]{3});
        completeWithChain(3, full, delta2, delta3);

        storage.discard(1);
        storage.discard(2);

        assertThat(storage.read(full)).containsExactly(1);
        assertThat(storage.read(delta2)).containsExactly(2);
        assertThat(storage.read(delta3)).containsExactly(3);
    }

    @Test
    void when_the_last_checkpoint_referring_to_a_shared_file_is_discarded_then_the_file_goes() throws IOException {
        SharedStateRef full1 = storage.write(1, new byte[]{1});
        completeWithChain(1, full1);
        SharedStateRef full2 = storage.write(2, new byte[]{2}); // a new full snapshot: the old chain is no longer needed
        completeWithChain(2, full2);

        storage.discard(1);

        assertThatThrownBy(() -> storage.read(full1)).isInstanceOf(IOException.class).hasMessageContaining(full1.file());
        assertThat(storage.read(full2)).containsExactly(2);
    }

    @Test
    void when_a_checkpoint_that_never_completed_is_discarded_then_the_shared_files_it_wrote_go() throws IOException {
        SharedStateRef full = storage.write(1, new byte[]{1});
        completeWithChain(1, full);
        SharedStateRef aborted = storage.write(2, new byte[]{2});

        storage.discard(2);

        assertThatThrownBy(() -> storage.read(aborted)).isInstanceOf(IOException.class);
        assertThat(storage.read(full)).containsExactly(1);
    }

    @Test
    void when_a_checkpoint_refers_to_a_shared_file_already_deleted_then_it_cannot_complete() throws IOException {
        SharedStateRef full1 = storage.write(1, new byte[]{1});
        completeWithChain(1, full1);
        completeWithChain(2, storage.write(2, new byte[]{2}));
        storage.discard(1);

        // A subtask that had not yet heard of checkpoint 2 builds on checkpoint 1's chain.
        assertThatThrownBy(() -> completeWithChain(3, full1, storage.write(3, new byte[]{3})))
                .isInstanceOf(IOException.class).hasMessageContaining("no longer exists");
        assertThat(storage.completedCheckpointIds()).containsExactly(2L);
    }
}
