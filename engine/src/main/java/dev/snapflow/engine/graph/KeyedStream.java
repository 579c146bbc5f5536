package dev.snapflow.engine.graph;

import dev.snapflow.engine.api.FilterFunction;
import dev.snapflow.engine.api.FlatMapFunction;
import dev.snapflow.engine.api.KeySelector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.MapFunction;
import dev.snapflow.engine.api.Sink;

import java.util.function.Supplier;

/**
 * A stream partitioned by key: the next operator's subtasks each receive all records of the keys
 * in their key groups, and see the current key in their context.
 */
public final class KeyedStream<K, T> {

    private final DataStream<T> partitioned;

    KeyedStream(JobBuilder builder, JobBuilder.Draft producer, KeySelector<T, K> selector) {
        this.partitioned = new DataStream<>(builder, producer, JobBuilder.RequestedPartitioning.HASH, selector);
    }

    /** A keyed process function; {@code factory} makes one instance per subtask. */
    public <O> DataStream<O> process(String name, Supplier<? extends KeyedProcessFunction<K, T, O>> factory) {
        return partitioned.next(name, new OperatorSpec.KeyedProcessSpec(JobBuilder.requireFunction(factory, name)));
    }

    public <O> DataStream<O> map(String name, MapFunction<T, O> function) {
        return partitioned.map(name, function);
    }

    public <O> DataStream<O> flatMap(String name, FlatMapFunction<T, O> function) {
        return partitioned.flatMap(name, function);
    }

    public DataStream<T> filter(String name, FilterFunction<T> function) {
        return partitioned.filter(name, function);
    }

    public SinkOperator sink(String name, Sink<T> sink) {
        return partitioned.sink(name, sink);
    }
}
