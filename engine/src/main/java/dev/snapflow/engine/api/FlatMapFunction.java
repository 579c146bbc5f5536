package dev.snapflow.engine.api;

/** Turns each record into zero or more records. Shared by all subtasks: keep it stateless. */
@FunctionalInterface
public interface FlatMapFunction<I, O> {
    void flatMap(I value, Collector<O> out) throws Exception;
}
