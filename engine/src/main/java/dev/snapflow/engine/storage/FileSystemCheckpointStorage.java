package dev.snapflow.engine.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.state.SubtaskState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints in a directory: {@code <base>/<job-id>/chk-<n>/} holds one state file per
 * subtask ({@code subtask-<chain>-<index>.state}, see {@link SubtaskStateFormat}) and, written
 * last, {@code _metadata}: human-readable JSON listing every state file with its size and CRC32C.
 * The metadata's own CRC32C is in {@code _metadata.crc32c}, written before it. Every file is
 * written to a temporary name and renamed into place atomically, so a checkpoint is complete
 * exactly when {@code _metadata} exists.
 *
 * <p>Reading verifies every checksum and size and names the damaged or missing file; the loader
 * ({@link #latestCompleted()}) falls back to the newest checkpoint that is intact. Thread-safe:
 * subtasks write distinct files, and the coordinator alone writes metadata and deletes.
 */
public final class FileSystemCheckpointStorage implements CheckpointStorage {

    static final String METADATA = "_metadata";
    static final String METADATA_CHECKSUM = "_metadata.crc32c";
    private static final int FORMAT_VERSION = 1;
    private static final Pattern CHECKPOINT_DIRECTORY = Pattern.compile("chk-(\\d+)");
    private static final Logger LOG = LoggerFactory.getLogger(FileSystemCheckpointStorage.class);

    /** The metadata as JSON. */
    record MetadataJson(int formatVersion, String jobName, long checkpointId, long triggerTimeMillis,
                        long completionMillis, List<StateJson> states) {
    }

    /** One state file in the metadata. */
    record StateJson(int chain, int subtask, String file, long sizeBytes, String crc32c) {
    }

    private final Path jobDirectory;
    /**
     * Recently deleted checkpoints: a subtask's write that lands after the deletion is removed
     * again. Late writes only ever concern recent checkpoints, so the oldest ids are forgotten
     * beyond {@value DiscardedCheckpoints#REMEMBERED}.
     */
    private final DiscardedCheckpoints discarded = new DiscardedCheckpoints();
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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

    private static String stateFileName(SubtaskId subtask) {
        return "subtask-" + subtask.chainId() + "-" + subtask.subtaskIndex() + ".state";
    }

    @Override
    public StateHandle writeState(long checkpointId, SubtaskId subtask, SubtaskState state) throws IOException {
        if (discarded.contains(checkpointId)) {
            throw new IOException("Checkpoint " + checkpointId + " was already discarded");
        }
        Path directory = checkpointDirectory(checkpointId);
        Files.createDirectories(directory);
        byte[] file = SubtaskStateFormat.encode(state);
        String name = stateFileName(subtask);
        writeAtomically(directory.resolve(name), file);
        if (discarded.contains(checkpointId)) {
            // The checkpoint was deleted while this write was under way: nothing of it may stay.
            discard(checkpointId);
            throw new IOException("Checkpoint " + checkpointId + " was discarded while its state was being written");
        }
        return new StateHandle(checkpointId, subtask, name, file.length, SubtaskStateFormat.checksumOf(file));
    }

    @Override
    public SubtaskState readState(StateHandle handle) throws IOException {
        Path file = checkpointDirectory(handle.checkpointId()).resolve(handle.location());
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("State file " + file + " is missing", e);
        }
        if (bytes.length != handle.sizeBytes()) {
            throw new IOException("State file " + file + " has " + bytes.length + " bytes, the metadata says " + handle.sizeBytes());
        }
        SubtaskState state = SubtaskStateFormat.decode(bytes, file.toString());
        if (SubtaskStateFormat.checksumOf(bytes) != handle.checksum()) {
            throw new IOException("State file " + file + " is not the one the metadata recorded (CRC32C differs)");
        }
        return state;
    }

    @Override
    public void writeMetadata(CheckpointMetadata metadata) throws IOException {
        Path directory = checkpointDirectory(metadata.checkpointId());
        List<StateJson> states = new ArrayList<>();
        for (StateHandle handle : metadata.states().values()) {
            if (!Files.exists(directory.resolve(handle.location()))) {
                throw new IOException("Checkpoint " + metadata.checkpointId() + " refers to missing state file "
                        + directory.resolve(handle.location()));
            }
            states.add(new StateJson(handle.subtask().chainId(), handle.subtask().subtaskIndex(), handle.location(),
                    handle.sizeBytes(), Long.toHexString(handle.checksum())));
        }
        states.sort(Comparator.comparing(StateJson::file));
        byte[] bytes = json.writeValueAsBytes(new MetadataJson(FORMAT_VERSION, metadata.jobName(), metadata.checkpointId(),
                metadata.triggerTimeMillis(), metadata.completionMillis(), states));
        writeAtomically(directory.resolve(METADATA_CHECKSUM),
                Long.toHexString(SubtaskStateFormat.crc32c(bytes)).getBytes(StandardCharsets.US_ASCII));
        writeAtomically(directory.resolve(METADATA), bytes); // the commit point
    }

    @Override
    public Optional<CheckpointMetadata> readMetadata(long checkpointId) throws IOException {
        Path directory = checkpointDirectory(checkpointId);
        Path file = directory.resolve(METADATA);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        byte[] bytes = Files.readAllBytes(file);
        Path checksumFile = directory.resolve(METADATA_CHECKSUM);
        String recorded;
        try {
            recorded = Files.readString(checksumFile, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            throw new IOException("Checksum file " + checksumFile + " is missing", e);
        }
        String actual = Long.toHexString(SubtaskStateFormat.crc32c(bytes));
        if (!actual.equals(recorded)) {
            throw new IOException("Metadata file " + file + " is corrupted: CRC32C " + actual + " does not match the recorded " + recorded);
        }
        MetadataJson metadata;
        try {
            metadata = json.readValue(bytes, MetadataJson.class);
        } catch (JsonProcessingException e) {
            throw new IOException("Metadata file " + file + " is not valid checkpoint metadata: " + e.getOriginalMessage(), e);
        }
        if (metadata.formatVersion() != FORMAT_VERSION || metadata.checkpointId() != checkpointId || metadata.states() == null) {
            throw new IOException("Metadata file " + file + " does not describe checkpoint " + checkpointId
                    + " in format version " + FORMAT_VERSION);
        }
        Map<SubtaskId, StateHandle> states = new HashMap<>();
        for (StateJson state : metadata.states()) {
            SubtaskId subtask = new SubtaskId(state.chain(), state.subtask());
            states.put(subtask, new StateHandle(checkpointId, subtask, state.file(), state.sizeBytes(),
                    Long.parseUnsignedLong(state.crc32c(), 16)));
        }
        return Optional.of(new CheckpointMetadata(metadata.jobName(), checkpointId, metadata.triggerTimeMillis(),
                metadata.completionMillis(), states));
    }

    @Override
    public void discard(long checkpointId) throws IOException {
        discarded.add(checkpointId);
        Path directory = checkpointDirectory(checkpointId);
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
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
                if (matcher.matches() && Files.exists(child.resolve(METADATA))) {
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

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true); // durable before it becomes visible under its real name
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
