package dev.snapflow.engine.api;

/**
 * The keyed state of one operator subtask. Every state it returns is scoped to the key of the
 * record being processed, is partitioned into key groups, and is part of every checkpoint.
 * States may be fetched once (in {@code open} is not possible: there is no key yet, but fetching
 * in the first {@code processElement} and keeping the handle is fine) or on every record.
 */
public interface KeyedStateStore {
    <S> S state(StateDescriptor<S> descriptor);
}
