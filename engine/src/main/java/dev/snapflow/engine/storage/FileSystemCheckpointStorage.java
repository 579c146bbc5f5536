package dev.snapflow.engine.storage;

import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.state.SubtaskState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints in a directory: {@code <base>/<job-id>/chk-<n>/} is one {@link SnapshotDirectory}
 * per checkpoint (state files, then {@code _metadata} last), so a checkpoint is complete exactly
 * when its {@code _metadata} exists.
 *
 * <p>Reading verifies every checksum and size and names the damaged or missing file; the loader
 * ({@link #latestCompleted()}) falls back to the newest checkpoint that is intact. Thread-safe:
 * subtasks write distinct files, and the coordinator alone writes metadata and deletes.
 */
public final class FileSystemCheckpointStorage implements CheckpointStorage {

    static final String METADATA = SnapshotDirectory.METADATA_FILE;
    static final String METADATA_CHECKSUM = SnapshotDirectory.METADATA_CHECKSUM;
    private static final Pattern CHECKPOINT_DIRECTORY = Pattern.compile("chk-(\\d+)");
    private static final Logger LOG = LoggerFactory.getLogger(FileSystemCheckpointStorage.class);

    private final Path jobDirectory;
    /**
     * Recently deleted checkpoints: a subtask's write that lands after the deletion is removed
     * again. Late writes only ever concern recent checkpoints, so the oldest ids are forgotten
     * beyond {@value DiscardedCheckpoints#REMEMBERED}.
     */
    private final DiscardedCheckpoints discarded = new DiscardedCheckpoints();

    /** Stores the checkpoints of job {@code jobId} under {@code baseDirectory}, creating directories as needed. */
    public FileSystemCheckpointStorage(Path baseDirectory, String jobId) throws IOException {
        this.jobDirectory = baseDirectory.resolve(jobId);
        Files.createDirectories(jobDirectory);
    }

    public Path jobDirectory() {
        return jobDirectory;
    }

    Path checkpointDirectory(long checkpointId) {
        return jobDirectory.resolve("chk-" + checkpointId);
    }

    private SnapshotDirectory snapshot(long checkpointId) {
        return new SnapshotDirectory(checkpointDirectory(checkpointId));
    }

    @Override
    public StateHandle writeState(long checkpointId, SubtaskId subtask, SubtaskState state) throws IOException {
        if (discarded.contains(checkpointId)) {
            throw new IOException("Checkpoint " + checkpointId + " was already discarded");
        }
        Files.createDirectories(checkpointDirectory(checkpointId));
        StateHandle handle = snapshot(checkpointId).writeState(checkpointId, subtask, state);
        if (discarded.contains(checkpointId)) {
            // The checkpoint was deleted while this write was under way: nothing of it may stay.
            discard(checkpointId);
            throw new IOException("Checkpoint " + checkpointId + " was discarded while its state was being written");
        }
        return handle;
    }

    @Override
    public SubtaskState readState(StateHandle handle) throws IOException {
        return snapshot(handle.checkpointId()).readState(handle);
    }

    @Override
    public void writeMetadata(CheckpointMetadata metadata) throws IOException {
        snapshot(metadata.checkpointId()).writeMetadata(metadata);
    }

    @Override
    public Optional<CheckpointMetadata> readMetadata(long checkpointId) throws IOException {
        Optional<CheckpointMetadata> metadata = snapshot(checkpointId).readMetadata();
        if (metadata.isPresent() && metadata.get().checkpointId() != checkpointId) {
            throw new IOException("Metadata file " + checkpointDirectory(checkpointId).resolve(METADATA)
                    + " does not describe checkpoint " + checkpointId + " but " + metadata.get().checkpointId());
        }
        return metadata;
    }

    @Override
    public void discard(long checkpointId) throws IOException {
        discarded.add(checkpointId);
        snapshot(checkpointId).delete();
    }

    @Override
    public List<Long> completedCheckpointIds() throws IOException {
        List<Long> ids = new ArrayList<>();
        if (!Files.isDirectory(jobDirectory)) {
            return ids;
        }
        try (Stream<Path> children = Files.list(jobDirectory)) {
            for (Path child : children.toList()) {
                Matcher matcher = CHECKPOINT_DIRECTORY.matcher(child.getFileName().toString());
                if (matcher.matches() && SnapshotDirectory.isComplete(child)) {
                    ids.add(Long.parseLong(matcher.group(1)));
                }
            }
        }
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    /**
     * The newest completed checkpoint whose metadata and every state file read back intact; a
     * damaged one is logged, naming the file, and skipped for the next older one.
     */
    @Override
    public Optional<CheckpointMetadata> latestCompleted() throws IOException {
        List<Long> ids = completedCheckpointIds();
        for (int i = ids.size() - 1; i >= 0; i--) {
            long id = ids.get(i);
            try {
                CheckpointMetadata metadata = readMetadata(id).orElseThrow(() ->
                        new IOException("Metadata of checkpoint " + id + " disappeared"));
                for (StateHandle handle : metadata.states().values()) {
                    readState(handle);
                }
                return Optional.of(metadata);
            } catch (IOException e) {
                LOG.warn("Checkpoint {} in {} is damaged, falling back to an older one: {}", id, jobDirectory, e.getMessage());
            }
        }
        return Optional.empty();
    }
}
