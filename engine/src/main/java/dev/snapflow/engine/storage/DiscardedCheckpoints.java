package dev.snapflow.engine.storage;

import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The ids of recently deleted checkpoints, so that storage can refuse or undo a subtask's state
 * write that arrives after its checkpoint was deleted. Bounded: the oldest ids are forgotten.
 * Thread-safe.
 */
final class DiscardedCheckpoints {

    /** How many ids are remembered; late writes concern only the last few checkpoints. */
    static final int REMEMBERED = 1024;

    private final ConcurrentSkipListSet<Long> ids = new ConcurrentSkipListSet<>();

    void add(long checkpointId) {
        ids.add(checkpointId);
        while (ids.size() > REMEMBERED) {
            ids.pollFirst();
        }
    }

    boolean contains(long checkpointId) {
        return ids.contains(checkpointId);
    }
}
