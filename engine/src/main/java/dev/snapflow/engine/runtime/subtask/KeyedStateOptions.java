package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.serialization.record.ValueCodec;

import java.util.Objects;

/**
 * How the keyed operators of a subtask keep their state.
 *
 * @param keyCodec writes keys into snapshots and reads them back
 */
record KeyedStateOptions(ValueCodec keyCodec) {
    KeyedStateOptions {
        Objects.requireNonNull(keyCodec, "keyCodec");
    }
}
