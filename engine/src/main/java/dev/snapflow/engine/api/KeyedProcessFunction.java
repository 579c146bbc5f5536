package dev.snapflow.engine.api;

/**
 * A process function on a keyed stream, with the current key typed. One instance per subtask;
 * every key of the subtask's key groups passes through the same instance.
 */
public interface KeyedProcessFunction<K, I, O> {

    /** What a keyed process function can ask about the record being processed. */
    interface Context<K> {
        RuntimeContext runtimeContext();

        K currentKey();

        /** This subtask's keyed state; each state is scoped to {@link #currentKey()}. */
        KeyedStateStore keyedState();

        /** This subtask's operator state: lists that belong to the subtask, not to a key. */
        OperatorStateStore operatorState();
    }

    default void open(RuntimeContext context) throws Exception {
    }

    void processElement(I value, Context<K> context, Collector<O> out) throws Exception;

    /** Called once after the last record, before the operator's output ends; may still emit. */
    default void finish(Collector<O> out) throws Exception {
    }

    default void close() throws Exception {
    }
}
