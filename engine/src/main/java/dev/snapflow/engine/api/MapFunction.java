package dev.snapflow.engine.api;

/** Turns each record into exactly one record. Shared by all subtasks: keep it stateless. */
@FunctionalInterface
public interface MapFunction<I, O> {
    O map(I value) throws Exception;
}
