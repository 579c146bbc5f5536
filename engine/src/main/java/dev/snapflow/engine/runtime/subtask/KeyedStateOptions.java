package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.serialization.record.ValueCodec;

import java.util.Objects;

/**
 * How the keyed operators of a subtask keep their state.
 *
 * @param keyCodec       writes keys into snapshots and reads them back
 * @param copyOnSnapshot whether keyed state snapshots copy now and serialize later
 */
record KeyedStateOptions(ValueCodec keyCodec, boolean copyOnSnapshot) {
    KeyedStateOptions {
        Objects.requireNonNull(keyCodec, "keyCodec");
    }
}
