package dev.snapflow.engine.api;

/**
 * The most general one-input function: it sees each record with a context and may emit any
 * number of records. One instance per subtask (given as a supplier), so it may keep state in
 * fields.
 */
public interface ProcessFunction<I, O> {

    /** What a process function can ask about the record being processed. */
    interface Context {
        RuntimeContext runtimeContext();

        /**
         * The key of the current record.
         *
         * @throws IllegalStateException if the input is not a keyed stream
         */
        Object currentKey();

        /**
         * This subtask's keyed state, each state scoped to {@link #currentKey()}.
         *
         * @throws IllegalStateException if the input is not a keyed stream
         */
        KeyedStateStore keyedState();

        /** This subtask's operator state: lists that belong to the subtask, not to a key. */
        OperatorStateStore operatorState();
    }

    default void open(RuntimeContext context) throws Exception {
    }

    void processElement(I value, Context context, Collector<O> out) throws Exception;

    /** Called once after the last record, before the operator's output ends; may still emit. */
    default void finish(Collector<O> out) throws Exception {
    }

    default void close() throws Exception {
    }
}
