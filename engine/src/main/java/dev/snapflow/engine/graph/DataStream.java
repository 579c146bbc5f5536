package dev.snapflow.engine.graph;

import dev.snapflow.engine.api.FilterFunction;
import dev.snapflow.engine.api.FlatMapFunction;
import dev.snapflow.engine.api.KeySelector;
import dev.snapflow.engine.api.MapFunction;
import dev.snapflow.engine.api.ProcessFunction;
import dev.snapflow.engine.api.Sink;

import java.util.function.Supplier;

/**
 * The output of an operator, to which further operators are attached. The setters
 * ({@link #parallelism}, {@link #maxParallelism}, {@link #startNewChain}) configure the operator
 * that produces this stream; the partitioning methods decide how the next operator receives it.
 */
public class DataStream<T> {

    final JobBuilder builder;
    final JobBuilder.Draft producer;
    final JobBuilder.RequestedPartitioning partitioning;
    final KeySelector<?, ?> keySelector;

    DataStream(JobBuilder builder, JobBuilder.Draft producer, JobBuilder.RequestedPartitioning partitioning,
               KeySelector<?, ?> keySelector) {
        this.builder = builder;
        this.producer = producer;
        this.partitioning = partitioning;
        this.keySelector = keySelector;
    }

    /** Sets the producing operator's parallelism (checked when the job is built). */
    public DataStream<T> parallelism(int parallelism) {
        producer.parallelism = parallelism;
        return this;
    }

    /** Sets the producing operator's max parallelism: its number of key groups. */
    public DataStream<T> maxParallelism(int maxParallelism) {
        producer.maxParallelism = maxParallelism;
        return this;
    }

    /**
     * Sets the producing operator's uid, which its checkpointed state is stored under: set one
     * to keep restoring that state after the operator is renamed. Defaults to the name.
     */
    public DataStream<T> uid(String uid) {
        producer.uid = java.util.Objects.requireNonNull(uid, "uid");
        return this;
    }

    /** Keeps the producing operator out of its input's chain: a channel runs between them. */
    public DataStream<T> startNewChain() {
        producer.chainable = false;
        return this;
    }

    /** The next operator receives records round robin. */
    public DataStream<T> rebalance() {
        return new DataStream<>(builder, producer, JobBuilder.RequestedPartitioning.REBALANCE, null);
    }

    /** The next operator receives every record on every subtask. */
    public DataStream<T> broadcast() {
        return new DataStream<>(builder, producer, JobBuilder.RequestedPartitioning.BROADCAST, null);
    }

    /** The next operator's subtask i receives subtask i's records; parallelisms must match. */
    public DataStream<T> forward() {
        return new DataStream<>(builder, producer, JobBuilder.RequestedPartitioning.FORWARD, null);
    }

    /** The next operator receives records partitioned by key; a null selector fails the build. */
    public <K> KeyedStream<K, T> keyBy(KeySelector<T, K> selector) {
        return new KeyedStream<>(builder, producer, selector);
    }

    public <O> DataStream<O> map(String name, MapFunction<T, O> function) {
        return next(name, new OperatorSpec.MapSpec(JobBuilder.requireFunction(function, name)));
    }

    public <O> DataStream<O> flatMap(String name, FlatMapFunction<T, O> function) {
        return next(name, new OperatorSpec.FlatMapSpec(JobBuilder.requireFunction(function, name)));
    }

    public DataStream<T> filter(String name, FilterFunction<T> function) {
        return next(name, new OperatorSpec.FilterSpec(JobBuilder.requireFunction(function, name)));
    }

    /** A process function; {@code factory} makes one instance per subtask. */
    public <O> DataStream<O> process(String name, Supplier<? extends ProcessFunction<T, O>> factory) {
        return next(name, new OperatorSpec.ProcessSpec(JobBuilder.requireFunction(factory, name)));
    }

    /** Ends this branch in a sink; returns the sink operator for configuration. */
    public SinkOperator sink(String name, Sink<T> sink) {
        return new SinkOperator(next(name, new OperatorSpec.SinkSpec(JobBuilder.requireFunction(sink, name))).producer);
    }

    <O> DataStream<O> next(String name, OperatorSpec spec) {
        JobBuilder.Draft draft = builder.add(name, spec, producer, partitioning, keySelector);
        return new DataStream<>(builder, draft, JobBuilder.RequestedPartitioning.DEFAULT, null);
    }
}
