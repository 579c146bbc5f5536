package dev.snapflow.engine.api;

/** Keeps the records for which it returns true. Shared by all subtasks: keep it stateless. */
@FunctionalInterface
public interface FilterFunction<T> {
    boolean filter(T value) throws Exception;
}
