package dev.snapflow.engine.storage;

import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.state.KeyedStateChain;
import dev.snapflow.engine.state.SharedStateRef;
import dev.snapflow.engine.state.SubtaskState;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Keeps checkpoints on the heap: for tests and small jobs that need no recovery across processes.
 * Thread-safe.
 */
public final class InMemoryCheckpointStorage implements CheckpointStorage {

    private final Map<String, SubtaskState> states = new ConcurrentHashMap<>();
    private final Map<String, byte[]> sharedFiles = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, CheckpointMetadata> completed = new ConcurrentSkipListMap<>();
    /** Recently deleted checkpoints: a subtask's write that lands after the deletion is removed again. */
    private final DiscardedCheckpoints discarded = new DiscardedCheckpoints();

    private static String key(long checkpointId, SubtaskId subtask) {
        return "chk-" + checkpointId + "/subtask-" + subtask.chainId() + "-" + subtask.subtaskIndex();
    }

    @Override
    public StateHandle writeState(long checkpointId, SubtaskId subtask, SubtaskState state) throws IOException {
        if (discarded.contains(checkpointId)) {
            throw new IOException("Checkpoint " + checkpointId + " was already discarded");
        }
        String key = key(checkpointId, subtask);
        states.put(key, state);
        if (discarded.contains(checkpointId)) {
            states.remove(key);
            throw new IOException("Checkpoint " + checkpointId + " was discarded while its state was being written");
        }
        return new StateHandle(checkpointId, subtask, key, state.sizeBytes(), 0, KeyedStateChain.referencedBy(state));
    }

    @Override
    public SharedStateRef write(long checkpointId, byte[] bytes) throws IOException {
        if (discarded.contains(checkpointId)) {
            throw new IOException("Checkpoint " + checkpointId + " was already discarded");
        }
        String name = checkpointId + "-" + UUID.randomUUID() + ".kg";
        sharedFiles.put(name, bytes.clone());
        if (discarded.contains(checkpointId)) {
            sharedFiles.remove(name);
            throw new IOException("Checkpoint " + checkpointId + " was discarded while its shared state was being written");
        }
        return new SharedStateRef(name, bytes.length, 0);
    }

    @Override
    public byte[] read(SharedStateRef ref) throws IOException {
        byte[] bytes = sharedFiles.get(ref.file());
        if (bytes == null) {
            throw new IOException("Shared state " + ref.file() + " is missing (discarded?)");
        }
        return bytes.clone();
    }

    @Override
    public SubtaskState readState(StateHandle handle) throws IOException {
        SubtaskState state = states.get(handle.location());
        if (state == null) {
            throw new IOException("No state at " + handle.location() + " (discarded?)");
        }
        return state;
    }

    @Override
    public synchronized void writeMetadata(CheckpointMetadata metadata) throws IOException {
        for (StateHandle handle : metadata.states().values()) {
            if (!states.containsKey(handle.location())) {
                throw new IOException("Checkpoint " + metadata.checkpointId() + " refers to missing state " + handle.location());
            }
            for (SharedStateRef file : handle.sharedFiles()) {
                if (!sharedFiles.containsKey(file.file())) {
                    throw new IOException("Checkpoint " + metadata.checkpointId() + " refers to shared state " + file.file()
                            + ", which no longer exists");
                }
            }
        }
        completed.put(metadata.checkpointId(), metadata);
    }

    @Override
    public synchronized void discard(long checkpointId) {
        discarded.add(checkpointId);
        Set<String> candidates = new HashSet<>();
        CheckpointMetadata metadata = completed.remove(checkpointId);
        if (metadata != null) {
            candidates.addAll(SharedFiles.referencedBy(metadata));
        }
        states.keySet().removeIf(key -> key.startsWith("chk-" + checkpointId + "/"));
        sharedFiles.keySet().stream().filter(name -> name.startsWith(checkpointId + "-")).forEach(candidates::add);
        completed.values().forEach(kept -> candidates.removeAll(SharedFiles.referencedBy(kept)));
        sharedFiles.keySet().removeAll(candidates);
    }

    @Override
    public Optional<CheckpointMetadata> readMetadata(long checkpointId) {
        return Optional.ofNullable(completed.get(checkpointId));
    }

    @Override
    public List<Long> completedCheckpointIds() {
        return new ArrayList<>(completed.keySet());
    }

    @Override
    public Optional<CheckpointMetadata> latestCompleted() {
        return Optional.ofNullable(completed.lastEntry()).map(Map.Entry::getValue);
    }
}
