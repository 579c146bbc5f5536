package dev.snapflow.engine.storage;

import dev.snapflow.engine.state.SharedStateRef;

import java.util.HashSet;
import java.util.Set;

/** The shared files of incremental keyed state that checkpoints refer to, by name. */
final class SharedFiles {

    private SharedFiles() {
    }

    static Set<String> referencedBy(CheckpointMetadata metadata) {
        Set<String> names = new HashSet<>();
        for (StateHandle handle : metadata.states().values()) {
            for (SharedStateRef file : handle.sharedFiles()) {
                names.add(file.file());
            }
        }
        return names;
    }
}
