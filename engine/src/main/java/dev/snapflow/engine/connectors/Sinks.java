package dev.snapflow.engine.connectors;

import dev.snapflow.engine.api.RuntimeContext;
import dev.snapflow.engine.api.Sink;
import dev.snapflow.engine.api.SinkFunction;
import dev.snapflow.engine.api.SinkWriter;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The built-in sinks. */
public final class Sinks {

    private Sinks() {
    }

    /**
     * Keeps every record; the job's result holds them ({@code result.collected(name)}), subtask
     * 0's records first. Meant for tests and small outputs: everything stays in memory. What it
     * holds is not checkpointed: a job started from a checkpoint, or restarted after a failure,
     * collects only the records its last attempt wrote, those after the checkpoint.
     */
    public static <T> Sink<T> collect() {
        return context -> new SinkWriter<>() {
            private final List<Object> records = new ArrayList<>();

            @Override
            public void write(T record) {
                records.add(record);
            }

            @Override
            public Optional<List<Object>> finish() {
                return Optional.of(records);
            }
        };
    }

    /** Prints each record on standard output, prefixed with its subtask when parallel ("2> record"). */
    public static <T> Sink<T> print() {
        return print(System.out);
    }

    /** Prints each record on {@code out}, prefixed with its subtask when parallel. */
    public static <T> Sink<T> print(PrintStream out) {
        Objects.requireNonNull(out, "out");
        return context -> {
            String prefix = context.parallelism() > 1 ? (context.subtaskIndex() + 1) + "> " : "";
            return record -> out.println(prefix + record);
        };
    }

    /** Calls {@code function} for each record, from every subtask of the sink (see {@link SinkFunction}). */
    public static <T> Sink<T> forEach(SinkFunction<T> function) {
        Objects.requireNonNull(function, "function");
        return context -> function::invoke;
    }

    /** Drops every record; the result still counts them. */
    public static <T> Sink<T> discard() {
        return (RuntimeContext context) -> record -> {
        };
    }
}
