package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.state.SharedStateStore;
import dev.snapflow.serialization.record.ValueCodec;

import java.util.Objects;

/**
 * How the keyed operators of a subtask keep their state.
 *
 * @param keyCodec    writes keys into snapshots and reads them back
 * @param sharedState where incremental checkpoints keep their shared files; null where there is none
 * @param maxDeltas   0 for full snapshots only; otherwise incremental, with a full snapshot after this many deltas
 */
record KeyedStateOptions(ValueCodec keyCodec, SharedStateStore sharedState, int maxDeltas) {

    KeyedStateOptions {
        Objects.requireNonNull(keyCodec, "keyCodec");
    }
}
