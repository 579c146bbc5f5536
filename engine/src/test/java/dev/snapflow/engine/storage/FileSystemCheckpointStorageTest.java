package dev.snapflow.engine.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract, the layout on disk, and what tampering with each kind of file does. */
class FileSystemCheckpointStorageTest extends CheckpointStorageContractTest {

    @TempDir
    Path base;

    @Override
    CheckpointStorage createStorage() throws IOException {
        return new FileSystemCheckpointStorage(base, "job-1");
    }

    private Path checkpoint(long id) {
        return base.resolve("job-1").resolve("chk-" + id);
    }

    private static void flipByte(Path file, int index) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[Math.floorMod(index, bytes.length)] ^= 0x40;
        Files.write(file, bytes);
    }

    private static void truncate(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    }

    @Test
    void when_a_checkpoint_completes_then_the_directory_holds_state_files_and_readable_json_metadata() throws IOException {
        complete(1);

        assertThat(checkpoint(1)).isDirectoryContaining(p -> p.getFileName().toString().equals("subtask-0-0.state"))
                .isDirectoryContaining(p -> p.getFileName().toString().equals("subtask-1-2.state"))
                .isDirectoryContaining(p -> p.getFileName().toString().equals("_metadata"))
                .isDirectoryContaining(p -> p.getFileName().toString().equals("_metadata.crc32c"))
                .isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".tmp"));
        String metadata = Files.readString(checkpoint(1).resolve("_metadata"), StandardCharsets.UTF_8);
        assertThat(metadata).contains("\"checkpointId\" : 1", "\"file\" : \"subtask-1-2.state\"", "\"crc32c\"");
    }

    @Test
    void when_a_state_file_is_truncated_then_reading_names_it_and_the_loader_falls_back() throws IOException {
        complete(1);
        CheckpointMetadata second = complete(2);
        Path damaged = checkpoint(2).resolve("subtask-1-2.state");
        truncate(damaged);

        assertThatThrownBy(() -> storage.readState(second.states().get(B)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(damaged.toString());
        assertThat(storage.latestCompleted()).map(CheckpointMetadata::checkpointId).contains(1L);
    }

    @Test
    void when_a_state_file_has_a_flipped_byte_then_the_checksum_catches_it() throws IOException {
        complete(1);
        CheckpointMetadata second = complete(2);
        Path damaged = checkpoint(2).resolve("subtask-0-0.state");
        flipByte(damaged, -1);

        assertThatThrownBy(() -> storage.readState(second.states().get(A)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("State file " + damaged + " is corrupted: CRC32C ")
                .hasMessageContaining("does not match the recorded");
        assertThat(storage.latestCompleted()).map(CheckpointMetadata::checkpointId).contains(1L);
    }

    @Test
    void when_a_state_file_is_deleted_then_reading_says_it_is_missing() throws IOException {
        complete(1);
        CheckpointMetadata second = complete(2);
        Path deleted = checkpoint(2).resolve("subtask-1-2.state");
        Files.delete(deleted);

        assertThatThrownBy(() -> storage.readState(second.states().get(B)))
                .isInstanceOf(IOException.class)
                .hasMessage("State file " + deleted + " is missing");
        assertThat(storage.latestCompleted()).map(CheckpointMetadata::checkpointId).contains(1L);
    }

    @Test
    void when_the_metadata_is_truncated_or_flipped_then_its_checksum_names_it() throws IOException {
        complete(1);
        complete(2);
        complete(3);
        Path truncated = checkpoint(3).resolve("_metadata");
        truncate(truncated);
        Path flipped = checkpoint(2).resolve("_metadata");
        flipByte(flipped, 20);

        assertThatThrownBy(() -> storage.readMetadata(3)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("Metadata file " + truncated + " is corrupted");
        assertThatThrownBy(() -> storage.readMetadata(2)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("Metadata file " + flipped + " is corrupted");
        assertThat(storage.latestCompleted()).map(CheckpointMetadata::checkpointId).contains(1L);
    }

    @Test
    void when_the_metadata_checksum_file_is_deleted_then_the_checkpoint_is_not_trusted() throws IOException {
        complete(1);
        complete(2);
        Path checksum = checkpoint(2).resolve("_metadata.crc32c");
        Files.delete(checksum);

        assertThatThrownBy(() -> storage.readMetadata(2)).isInstanceOf(IOException.class)
                .hasMessage("Checksum file " + checksum + " is missing");
        assertThat(storage.latestCompleted()).map(CheckpointMetadata::checkpointId).contains(1L);
    }

    @Test
    void when_the_metadata_is_deleted_then_the_checkpoint_does_not_exist() throws IOException {
        complete(1);
        complete(2);
        Files.delete(checkpoint(2).resolve("_metadata"));

        assertThat(storage.completedCheckpointIds()).containsExactly(1L);
        assertThat(storage.latestCompleted()).map(CheckpointMetadata::checkpointId).contains(1L);
    }

    @Test
    void when_every_checkpoint_is_damaged_then_there_is_none_to_load() throws IOException {
        complete(1);
        flipByte(checkpoint(1).resolve("subtask-0-0.state"), 25);

        assertThat(storage.latestCompleted()).isEmpty();
    }

    @Test
    void when_a_file_is_not_a_state_file_then_the_error_says_so() throws IOException {
        CheckpointMetadata first = complete(1);
        Path file = checkpoint(1).resolve("subtask-0-0.state");
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] = 'X';
        Files.write(file, bytes);

        assertThatThrownBy(() -> storage.readState(first.states().get(A)))
                .hasMessageStartingWith("State file " + file + " is not a Snapflow state file");
    }

    @Test
    void when_two_threads_delete_a_checkpoint_at_once_then_neither_fails_and_nothing_is_left() throws Exception {
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (long id = 1; id <= 100; id++) {
                complete(id);
                Path directory = checkpoint(id);
                for (int file = 0; file < 20; file++) {
                    Files.write(directory.resolve("extra-" + file + ".state"), new byte[]{1});
                }
                SnapshotDirectory snapshot = new SnapshotDirectory(directory);
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.Callable<Void> delete = () -> {
                    start.await();
                    snapshot.delete();
                    return null;
                };
                java.util.concurrent.Future<Void> first = threads.submit(delete);
                java.util.concurrent.Future<Void> second = threads.submit(delete);
                start.countDown();
                first.get();
                second.get();

                assertThat(directory).doesNotExist();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void when_a_shared_file_is_damaged_then_the_loader_falls_back_to_an_older_intact_checkpoint() throws IOException {
        dev.snapflow.engine.state.SharedStateRef full1 = storage.write(1, new byte[]{1, 1});
        completeWithChain(1, full1);
        dev.snapflow.engine.state.SharedStateRef full2 = storage.write(2, new byte[]{2, 2});
        completeWithChain(2, full2);
        flipByte(base.resolve("job-1").resolve("shared").resolve(full2.file()), 0);

        assertThatThrownBy(() -> storage.read(full2)).isInstanceOf(IOException.class)
                .hasMessageContaining(full2.file()).hasMessageContaining("corrupted");
        assertThat(storage.latestCompleted()).map(CheckpointMetadata::checkpointId).contains(1L);
    }

    @Test
    void when_the_only_checkpoint_has_a_missing_shared_file_then_there_is_no_intact_checkpoint() throws IOException {
        dev.snapflow.engine.state.SharedStateRef full = storage.write(1, new byte[]{1});
        completeWithChain(1, full);
        Files.delete(base.resolve("job-1").resolve("shared").resolve(full.file()));

        assertThatThrownBy(() -> storage.read(full)).hasMessageContaining("is missing");
        assertThat(storage.latestCompleted()).isEmpty();
    }
}
