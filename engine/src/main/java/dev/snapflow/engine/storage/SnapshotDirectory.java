package dev.snapflow.engine.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.state.KeyedStateChain;
import dev.snapflow.engine.state.SharedStateRef;
import dev.snapflow.engine.state.SubtaskState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One snapshot (a checkpoint's {@code chk-<n>} or a savepoint) in a directory of its own: one
 * state file per subtask ({@code subtask-<chain>-<index>.state}, see {@link SubtaskStateFormat})
 * and, written last, {@code _metadata}: human-readable JSON listing every state file by its name
 * in the directory, with its size and CRC32C. The metadata's own CRC32C is in
 * {@code _metadata.crc32c}, written before it. Every file is written to a temporary name and
 * renamed into place atomically, so the snapshot is complete exactly when {@code _metadata}
 * exists. Nothing refers outside the directory, so it can be moved or copied as a whole.
 *
 * <p>Reading verifies every checksum and size and names the damaged or missing file.
 * Thread-safe: subtasks write distinct files, and one coordinator writes the metadata.
 */
public final class SnapshotDirectory {

    /** The name of the file whose presence makes a snapshot complete. */
    public static final String METADATA_FILE = "_metadata";
    static final String METADATA_CHECKSUM = "_metadata.crc32c";
    private static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The metadata as JSON. */
    record MetadataJson(int formatVersion, String jobName, long checkpointId, long triggerTimeMillis,
                        long completionMillis, List<StateJson> states) {
    }

    /** One state file in the metadata, with the shared files it refers to (absent in older metadata). */
    record StateJson(int chain, int subtask, String file, long sizeBytes, String crc32c, List<SharedJson> shared) {
    }

    /** A shared file of incremental keyed state in the metadata. */
    record SharedJson(String file, long sizeBytes, String crc32c) {
    }

    private final Path directory;

    public SnapshotDirectory(Path directory) {
        this.directory = directory;
    }

    public Path path() {
        return directory;
    }

    /** True if {@code directory} holds a complete snapshot (its metadata exists). */
    public static boolean isComplete(Path directory) {
        return Files.isRegularFile(directory.resolve(METADATA_FILE));
    }

    private static String stateFileName(SubtaskId subtask) {
        return "subtask-" + subtask.chainId() + "-" + subtask.subtaskIndex() + ".state";
    }

    /**
     * Writes a subtask's state into the directory, which must exist (a snapshot whose directory
     * was deleted was aborted); the handle names the file relative to the directory.
     */
    public StateHandle writeState(long checkpointId, SubtaskId subtask, SubtaskState state) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IOException("Snapshot directory " + directory + " does not exist (was the snapshot aborted?)");
        }
        byte[] file = SubtaskStateFormat.encode(state);
        String name = stateFileName(subtask);
        writeAtomically(directory.resolve(name), file);
        return new StateHandle(checkpointId, subtask, name, file.length, SubtaskStateFormat.checksumOf(file),
                KeyedStateChain.referencedBy(state));
    }

    public SubtaskState readState(StateHandle handle) throws IOException {
        if (handle.location().contains("/") || handle.location().contains("\\") || handle.location().startsWith(".")) {
            throw new IOException("State file name '" + handle.location() + "' in " + directory + " leaves the snapshot directory");
        }
        Path file = directory.resolve(handle.location());
        byte[] bytes = readRecordedFile(file, handle.sizeBytes(), "State file", "the metadata");
        SubtaskState state = SubtaskStateFormat.decode(bytes, file.toString());
        if (SubtaskStateFormat.checksumOf(bytes) != handle.checksum()) {
            throw new IOException("State file " + file + " is not the one the metadata recorded (CRC32C differs)");
        }
        return state;
    }

    /** Writes the metadata last, which completes the snapshot; every state file it lists must exist. */
    public void writeMetadata(CheckpointMetadata metadata) throws IOException {
        List<StateJson> states = new ArrayList<>();
        for (StateHandle handle : metadata.states().values()) {
            if (!Files.exists(directory.resolve(handle.location()))) {
                throw new IOException("Checkpoint " + metadata.checkpointId() + " refers to missing state file "
                        + directory.resolve(handle.location()));
            }
            states.add(new StateJson(handle.subtask().chainId(), handle.subtask().subtaskIndex(), handle.location(),
                    handle.sizeBytes(), Long.toHexString(handle.checksum()), handle.sharedFiles().stream()
                    .map(file -> new SharedJson(file.file(), file.sizeBytes(), Long.toHexString(file.checksum()))).toList()));
        }
        states.sort(Comparator.comparing(StateJson::file));
        byte[] bytes = JSON.writeValueAsBytes(new MetadataJson(FORMAT_VERSION, metadata.jobName(), metadata.checkpointId(),
                metadata.triggerTimeMillis(), metadata.completionMillis(), states));
        writeAtomically(directory.resolve(METADATA_CHECKSUM),
                Long.toHexString(SubtaskStateFormat.crc32c(bytes)).getBytes(StandardCharsets.US_ASCII));
        writeAtomically(directory.resolve(METADATA_FILE), bytes); // the commit point
    }

    /**
     * The snapshot's metadata, checked against its checksum; empty if the snapshot is not complete.
     *
     * @throws IOException naming the file, if the metadata is damaged
     */
    public Optional<CheckpointMetadata> readMetadata() throws IOException {
        Path file = directory.resolve(METADATA_FILE);
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
            metadata = JSON.readValue(bytes, MetadataJson.class);
        } catch (JsonProcessingException e) {
            throw new IOException("Metadata file " + file + " is not valid checkpoint metadata: " + e.getOriginalMessage(), e);
        }
        if (metadata.formatVersion() != FORMAT_VERSION || metadata.states() == null || metadata.checkpointId() < 1) {
            throw new IOException("Metadata file " + file + " is not checkpoint metadata in format version " + FORMAT_VERSION);
        }
        Map<SubtaskId, StateHandle> states = new HashMap<>();
        for (StateJson state : metadata.states()) {
            SubtaskId subtask = new SubtaskId(state.chain(), state.subtask());
            List<SharedStateRef> shared = new ArrayList<>();
            try {
                for (SharedJson sharedFile : state.shared() == null ? List.<SharedJson>of() : state.shared()) {
                    shared.add(new SharedStateRef(sharedFile.file(), sharedFile.sizeBytes(),
                            Long.parseUnsignedLong(sharedFile.crc32c(), 16)));
                }
            } catch (RuntimeException e) {
                throw new IOException("Metadata file " + file + " lists a shared file that is not valid: " + e.getMessage(), e);
            }
            states.put(subtask, new StateHandle(metadata.checkpointId(), subtask, state.file(), state.sizeBytes(),
                    Long.parseUnsignedLong(state.crc32c(), 16), shared));
        }
        return Optional.of(new CheckpointMetadata(metadata.jobName(), metadata.checkpointId(), metadata.triggerTimeMillis(),
                metadata.completionMillis(), states));
    }

    /**
     * The complete snapshot with every state file read back intact.
     *
     * @throws IOException naming the directory or the damaged file, if it is not complete or not intact
     */
    public Snapshot readIntact() throws IOException {
        CheckpointMetadata metadata = readMetadata().orElseThrow(() ->
                new IOException("There is no complete snapshot in " + directory + ": it has no " + METADATA_FILE + " file"));
        Map<SubtaskId, SubtaskState> states = new HashMap<>();
        for (Map.Entry<SubtaskId, StateHandle> entry : metadata.states().entrySet()) {
            states.put(entry.getKey(), readState(entry.getValue()));
        }
        return new Snapshot(metadata, states);
    }

    /** A snapshot read back: its metadata and every subtask's state. */
    public record Snapshot(CheckpointMetadata metadata, Map<SubtaskId, SubtaskState> states) {
        public Snapshot {
            states = Map.copyOf(states);
        }
    }

    /**
     * Deletes the directory and everything in it. A subtask whose write lands in a checkpoint being
     * deleted deletes it too, so files may vanish or appear during the walk: a vanished one is
     * already gone, and the walk starts again while new ones keep appearing.
     */
    public void delete() throws IOException {
        for (int walk = 1; ; walk++) {
            try {
                deleteTree();
                return;
            } catch (DirectoryNotEmptyException e) {
                if (walk == MAX_DELETE_WALKS) {
                    throw e;
                }
            }
        }
    }

    private static final int MAX_DELETE_WALKS = 10;

    private void deleteTree() throws IOException {
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
                if (failure instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw failure;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null && !(failure instanceof NoSuchFileException)) {
                    throw failure;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * The bytes of a file some record lists with its size.
     *
     * @throws IOException naming the file, if it is missing or of another size than {@code recordedBy} says
     */
    static byte[] readRecordedFile(Path file, long size, String kind, String recordedBy) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(kind + " " + file + " is missing", e);
        }
        if (bytes.length != size) {
            throw new IOException(kind + " " + file + " has " + bytes.length + " bytes, " + recordedBy + " says " + size);
        }
        return bytes;
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
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
