package dev.snapflow.engine.storage;

import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.state.SharedStateRef;
import dev.snapflow.engine.state.SubtaskState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints in a directory: {@code <base>/<job-id>/chk-<n>/} is one {@link SnapshotDirectory}
 * per checkpoint (state files, then {@code _metadata} last), so a checkpoint is complete exactly
 * when its {@code _metadata} exists. The shared files of incremental keyed state are in
 * {@code <base>/<job-id>/shared/}, named {@code <n>-<random>.kg} after the checkpoint that wrote
 * them; the metadata of every checkpoint lists those it refers to, and a shared file is deleted
 * with the last completed checkpoint that refers to it (or with the checkpoint that wrote it, if
 * that one never completed).
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
    private final Path sharedDirectory;
    /**
     * Recently deleted checkpoints: a subtask's write that lands after the deletion is removed
     * again. Late writes only ever concern recent checkpoints, so the oldest ids are forgotten
     * beyond {@value DiscardedCheckpoints#REMEMBERED}.
     */
    private final DiscardedCheckpoints discarded = new DiscardedCheckpoints();
    /**
     * Held while a checkpoint's shared files are checked and its metadata written, and while shared
     * files are collected for deletion: a file is either seen referenced or seen missing.
     */
    private final Object sharedFilesLock = new Object();

    /** Stores the checkpoints of job {@code jobId} under {@code baseDirectory}, creating directories as needed. */
    public FileSystemCheckpointStorage(Path baseDirectory, String jobId) throws IOException {
        this.jobDirectory = baseDirectory.resolve(jobId);
        this.sharedDirectory = jobDirectory.resolve("shared");
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
    public SharedStateRef write(long checkpointId, byte[] bytes) throws IOException {
        if (discarded.contains(checkpointId)) {
            throw new IOException("Checkpoint " + checkpointId + " was already discarded");
        }
        Files.createDirectories(sharedDirectory);
        String name = checkpointId + "-" + UUID.randomUUID() + ".kg";
        SnapshotDirectory.writeAtomically(sharedDirectory.resolve(name), bytes);
        if (discarded.contains(checkpointId)) {
            // Discarded while this was written: its listing may have missed the file.
            Files.deleteIfExists(sharedDirectory.resolve(name));
            throw new IOException("Checkpoint " + checkpointId + " was discarded while its shared state was being written");
        }
        return new SharedStateRef(name, bytes.length, SubtaskStateFormat.crc32c(bytes));
    }

    @Override
    public byte[] read(SharedStateRef ref) throws IOException {
        Path file = sharedDirectory.resolve(ref.file());
        byte[] bytes = SnapshotDirectory.readRecordedFile(file, ref.sizeBytes(), "Shared state file", "the checkpoint");
        if (SubtaskStateFormat.crc32c(bytes) != ref.checksum()) {
            throw new IOException("Shared state file " + file + " is corrupted: its CRC32C is not the one the checkpoint recorded");
        }
        return bytes;
    }

    /**
     * @throws IOException if a state refers to a shared file that is gone (deleted with the
     *                     checkpoints before, which a subtask that had not yet heard of a newer
     *                     one can still refer to): the checkpoint fails rather than completing
     *                     with a hole
     */
    @Override
    public void writeMetadata(CheckpointMetadata metadata) throws IOException {
        synchronized (sharedFilesLock) {
            for (StateHandle handle : metadata.states().values()) {
                for (SharedStateRef file : handle.sharedFiles()) {
                    if (!Files.isRegularFile(sharedDirectory.resolve(file.file()))) {
                        throw new IOException("Checkpoint " + metadata.checkpointId() + " refers to shared state file "
                                + sharedDirectory.resolve(file.file()) + ", which no longer exists");
                    }
                }
            }
            snapshot(metadata.checkpointId()).writeMetadata(metadata);
        }
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
        Set<String> candidates = new HashSet<>();
        try {
            readMetadata(checkpointId).ifPresent(metadata -> candidates.addAll(SharedFiles.referencedBy(metadata)));
        } catch (IOException damaged) {
            // Its metadata cannot tell which shared files it used: the files it wrote are still found below.
        }
        snapshot(checkpointId).delete();
        if (Files.isDirectory(sharedDirectory)) {
            synchronized (sharedFilesLock) {
                deleteUnreferenced(checkpointId, candidates);
            }
        }
    }

    /** Deletes the candidates, and the shared files checkpoint {@code checkpointId} wrote, that no completed checkpoint refers to. */
    private void deleteUnreferenced(long checkpointId, Set<String> candidates) throws IOException {
        try (Stream<Path> files = Files.list(sharedDirectory)) {
            files.map(file -> file.getFileName().toString())
                    .filter(name -> name.startsWith(checkpointId + "-") && !name.endsWith(".tmp"))
                    .forEach(candidates::add);
        }
        Set<String> stillReferenced;
        try {
            stillReferenced = referencedByCompletedCheckpoints();
        } catch (IOException damaged) {
            LOG.warn("A checkpoint in {} is damaged, so the shared files checkpoint {} used are kept: {}", jobDirectory,
                    checkpointId, damaged.getMessage());
            return;
        }
        candidates.removeAll(stillReferenced);
        for (String name : candidates) {
            Files.deleteIfExists(sharedDirectory.resolve(name));
        }
    }

    /**
     * The shared files that completed checkpoints refer to.
     *
     * @throws IOException if a completed checkpoint's metadata is damaged, so what it refers to is unknown
     */
    private Set<String> referencedByCompletedCheckpoints() throws IOException {
        Set<String> referenced = new HashSet<>();
        for (long id : completedCheckpointIds()) {
            readMetadata(id).ifPresent(metadata -> referenced.addAll(SharedFiles.referencedBy(metadata)));
        }
        return referenced;
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
                    for (SharedStateRef file : handle.sharedFiles()) {
                        read(file);
                    }
                }
                return Optional.of(metadata);
            } catch (IOException e) {
                LOG.warn("Checkpoint {} in {} is damaged, falling back to an older one: {}", id, jobDirectory, e.getMessage());
            }
        }
        return Optional.empty();
    }
}
