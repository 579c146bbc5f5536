package dev.snapflow.engine.state;

import java.io.IOException;

/**
 * Where incremental keyed state keeps the files that several checkpoints share (see
 * {@link KeyedStateChain}). Implemented by the checkpoint storage; thread-safe.
 */
public interface SharedStateStore {

    /** Writes a new shared file for checkpoint {@code checkpointId}, durably, under a name no other file has. */
    SharedStateRef write(long checkpointId, byte[] bytes) throws IOException;

    /**
     * Reads a shared file back.
     *
     * @throws IOException naming the file, if it is missing, of another size or its checksum differs
     */
    byte[] read(SharedStateRef ref) throws IOException;
}
