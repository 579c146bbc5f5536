package dev.snapflow.engine.api;

/**
 * Extracts the key that partitions a keyed stream. Must be deterministic, and the key must have
 * a stable {@code hashCode} (not the identity hash), because the hash decides the subtask.
 */
@FunctionalInterface
public interface KeySelector<T, K> {
    K key(T value) throws Exception;
}
