package dev.snapflow.engine.connectors;

import dev.snapflow.engine.api.RuntimeContext;
import dev.snapflow.engine.api.TwoPhaseCommitSinkWriter;
import dev.snapflow.engine.state.OperatorStateBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transactional file sink's two-phase commit, driven by hand the way a subtask drives it. */
class FileSinkTest {

    @TempDir
    Path directory;

    private TwoPhaseCommitSinkWriter<String, ?> writer(int subtask, OperatorStateBackend state, boolean restored) throws Exception {
        return writer(directory, subtask, state, restored);
    }

    private static TwoPhaseCommitSinkWriter<String, ?> writer(Path directory, int subtask, OperatorStateBackend state,
                                                              boolean restored) throws Exception {
        @SuppressWarnings("unchecked")
        TwoPhaseCommitSinkWriter<String, ?> writer = (TwoPhaseCommitSinkWriter<String, ?>) FileSink.<String>lines(directory)
                .createWriter(new RuntimeContext("files", "files", subtask, 2, 128));
        writer.initializeState(state, restored);
        return writer;
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    private static void writeAll(TwoPhaseCommitSinkWriter<String, ?> writer, String... records) throws Exception {
        for (String record : records) {
            writer.write(record);
        }
    }

    @Test
    void records_become_visible_only_when_the_checkpoint_that_snapshotted_them_completed() throws Exception {
        TwoPhaseCommitSinkWriter<String, ?> writer = writer(0, new OperatorStateBackend(), false);
        writeAll(writer, "a", "b", "c");
        assertThat(FileSink.committedLines(directory)).isEmpty();

        writer.prepareSnapshot(1);
        writeAll(writer, "d");
        assertThat(FileSink.committedLines(directory)).isEmpty();
        assertThat(fileNames()).anyMatch(name -> name.endsWith(".pending")).anyMatch(name -> name.endsWith(".inprogress"));

        writer.notifyCheckpointComplete(1);
        assertThat(FileSink.committedLines(directory)).containsExactly("a", "b", "c");
    }

    @Test
    void an_aborted_checkpoint_leaves_its_transaction_for_the_next_completed_one() throws Exception {
        TwoPhaseCommitSinkWriter<String, ?> writer = writer(0, new OperatorStateBackend(), false);
        writeAll(writer, "a");
        writer.prepareSnapshot(1);
        writer.notifyCheckpointAborted(1);
        writeAll(writer, "b");
        writer.prepareSnapshot(2);
        writer.notifyCheckpointComplete(2);

        assertThat(FileSink.committedLines(directory)).containsExactlyInAnyOrder("a", "b");
        assertThat(writer.hasUncommittedOutput()).isFalse(); // the open transaction of checkpoint 3 is empty
    }

    @Test
    void a_restore_commits_what_its_checkpoint_held_pending_and_aborts_what_was_open() throws Exception {
        OperatorStateBackend state = new OperatorStateBackend();
        TwoPhaseCommitSinkWriter<String, ?> crashed = writer(0, state, false);
        writeAll(crashed, "a", "b");
        crashed.prepareSnapshot(7);
        byte[] checkpoint7 = state.snapshot();
        writeAll(crashed, "after the barrier");
        // The subtask dies here: checkpoint 7 completed, but no notification reached it, and it never closed.

        OperatorStateBackend restoredState = new OperatorStateBackend();
        restoredState.restore(checkpoint7);
        writer(0, restoredState, true);

        assertThat(FileSink.committedLines(directory)).containsExactly("a", "b");
        assertThat(fileNames()).noneMatch(name -> name.startsWith(".")); // the open transaction's file was deleted
    }

    @Test
    void a_job_resumed_with_another_output_directory_commits_the_restored_parts_where_they_were_written() throws Exception {
        OperatorStateBackend state = new OperatorStateBackend();
        TwoPhaseCommitSinkWriter<String, ?> first = writer(0, state, false);
        writeAll(first, "a", "b");
        first.prepareSnapshot(4);
        byte[] checkpoint4 = state.snapshot();

        OperatorStateBackend restoredState = new OperatorStateBackend();
        restoredState.restore(checkpoint4);
        Path elsewhere = directory.resolve("elsewhere");
        TwoPhaseCommitSinkWriter<String, ?> resumed = writer(elsewhere, 0, restoredState, true);
        writeAll(resumed, "c");
        resumed.prepareSnapshot(5);
        resumed.notifyCheckpointComplete(5);

        assertThat(FileSink.committedLines(directory)).containsExactly("a", "b");
        assertThat(FileSink.committedLines(elsewhere)).containsExactly("c");
    }

    @Test
    void restoring_the_same_checkpoint_twice_commits_once() throws Exception {
        OperatorStateBackend state = new OperatorStateBackend();
        TwoPhaseCommitSinkWriter<String, ?> first = writer(0, state, false);
        writeAll(first, "a");
        first.prepareSnapshot(3);
        byte[] checkpoint3 = state.snapshot();
        first.notifyCheckpointComplete(3);

        for (int restore = 0; restore < 2; restore++) {
            OperatorStateBackend restoredState = new OperatorStateBackend();
            restoredState.restore(checkpoint3);
            writer(0, restoredState, true);
        }

        assertThat(FileSink.committedLines(directory)).containsExactly("a");
    }

    @Test
    void a_pending_part_file_that_vanished_fails_the_restore_naming_it() throws Exception {
        OperatorStateBackend state = new OperatorStateBackend();
        TwoPhaseCommitSinkWriter<String, ?> writer = writer(0, state, false);
        writeAll(writer, "a");
        writer.prepareSnapshot(1);
        byte[] checkpoint1 = state.snapshot();
        for (String name : fileNames()) {
            if (name.endsWith(".pending")) {
                Files.delete(directory.resolve(name));
            }
        }

        OperatorStateBackend restoredState = new OperatorStateBackend();
        restoredState.restore(checkpoint1);
        assertThatThrownBy(() -> writer(0, restoredState, true))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("part-0-")
                .hasMessageContaining("neither pending");
    }

    @Test
    void at_the_end_of_input_the_last_transaction_waits_for_a_checkpoint_and_an_empty_one_is_dropped() throws Exception {
        TwoPhaseCommitSinkWriter<String, ?> writer = writer(0, new OperatorStateBackend(), false);
        writeAll(writer, "a");
        writer.finish();
        assertThat(writer.hasUncommittedOutput()).isTrue();
        writer.prepareSnapshot(1);
        writer.notifyCheckpointComplete(1);
        assertThat(writer.hasUncommittedOutput()).isFalse();
        assertThat(FileSink.committedLines(directory)).containsExactly("a");

        TwoPhaseCommitSinkWriter<String, ?> idle = writer(1, new OperatorStateBackend(), false);
        idle.finish();
        assertThat(idle.hasUncommittedOutput()).isFalse();
    }

    @Test
    void a_writer_that_stops_without_finishing_deletes_its_open_transaction() throws Exception {
        TwoPhaseCommitSinkWriter<String, ?> writer = writer(0, new OperatorStateBackend(), false);
        writeAll(writer, "a");
        writer.close();

        assertThat(fileNames()).isEmpty();
    }

    @Test
    void a_transaction_that_is_not_a_part_file_of_this_sink_is_refused_on_restore() throws Exception {
        OperatorStateBackend state = new OperatorStateBackend();
        TwoPhaseCommitSinkWriter<String, ?> writer = writer(0, state, false);
        writeAll(writer, "a");
        writer.prepareSnapshot(1);
        byte[] snapshot = state.snapshot();
        String text = new String(snapshot, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("part-0-");
        snapshot[at] = '/'; // a path outside the directory

        OperatorStateBackend tampered = new OperatorStateBackend();
        tampered.restore(snapshot);
        assertThatThrownBy(() -> writer(0, tampered, true))
                .hasMessageContaining("two-phase-commit-pending")
                .hasMessageContaining("Not a part file name of a file sink: '/art-0-");
    }
}
