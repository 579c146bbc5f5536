package dev.snapflow.engine.checkpoint.coordinator;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** When the coordinator deletes a checkpoint's or a savepoint's files, and where a savepoint is written. */
class CheckpointCleanupTest {

    private final CheckpointCleanup<String> cleanup = new CheckpointCleanup<>();
    private final Path directory = Path.of("/savepoints/savepoint-1");

    @Test
    void a_failed_checkpoint_is_deleted_from_the_storage() {
        CheckpointCleanup.Aborted<String> aborted = cleanup.onAborted(3);

        assertThat(aborted.deletion()).isEqualTo(new CheckpointCleanup.Deletion.Checkpoint(3));
        assertThat(aborted.savepoint()).isEmpty();
    }

    @Test
    void a_failed_savepoint_deletes_its_own_directory_and_names_who_waits_for_it() {
        cleanup.savepointTriggered(4, directory, "requester");

        CheckpointCleanup.Aborted<String> aborted = cleanup.onAborted(4);

        assertThat(aborted.deletion()).isEqualTo(new CheckpointCleanup.Deletion.Savepoint(directory));
        assertThat(aborted.savepoint()).hasValueSatisfying(savepoint -> assertThat(savepoint.replyTo()).isEqualTo("requester"));
        assertThat(cleanup.isSavepoint(4)).isFalse();
    }

    @Test
    void a_savepoint_is_written_into_its_own_directory_until_it_is_finalized() {
        cleanup.savepointTriggered(4, directory, "requester");

        assertThat(cleanup.savepoint(4)).hasValueSatisfying(savepoint -> assertThat(savepoint.directory()).isEqualTo(directory));
        assertThat(cleanup.savepoint(5)).as("a checkpoint goes to the job's storage").isEmpty();
        assertThat(cleanup.finalized(4)).hasValueSatisfying(savepoint -> assertThat(savepoint.replyTo()).isEqualTo("requester"));
        assertThat(cleanup.savepoint(4)).isEmpty();
    }

    @Test
    void a_late_message_about_a_checkpoint_nobody_keeps_deletes_it() {
        assertThat(cleanup.onIgnored(2, List.of(5L, 6L))).contains(new CheckpointCleanup.Deletion.Checkpoint(2));
    }

    @Test
    void a_late_message_never_deletes_a_retained_checkpoint_a_savepoint_or_one_being_finalized() {
        cleanup.savepointTriggered(7, directory, "requester");
        cleanup.finalizing(8);

        assertThat(cleanup.onIgnored(6, List.of(5L, 6L))).as("retained").isEmpty();
        assertThat(cleanup.onIgnored(7, List.of())).as("a savepoint").isEmpty();
        assertThat(cleanup.onIgnored(8, List.of())).as("its metadata is being written").isEmpty();
        cleanup.finalized(8);
        assertThat(cleanup.onIgnored(8, List.of())).as("finalized, and not retained").isPresent();
    }

    @Test
    void when_the_coordinator_stops_every_checkpoint_in_progress_is_deleted() {
        cleanup.savepointTriggered(9, directory, "requester");

        List<CheckpointCleanup.Aborted<String>> stopped = cleanup.onStopped(List.of(8L, 9L));

        assertThat(stopped).extracting(CheckpointCleanup.Aborted::deletion).containsExactly(
                new CheckpointCleanup.Deletion.Checkpoint(8), new CheckpointCleanup.Deletion.Savepoint(directory));
        assertThat(stopped.get(1).savepoint()).isPresent();
    }
}
