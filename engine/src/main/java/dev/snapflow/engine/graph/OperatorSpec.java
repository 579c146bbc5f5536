package dev.snapflow.engine.graph;

import dev.snapflow.engine.api.FilterFunction;
import dev.snapflow.engine.api.FlatMapFunction;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.MapFunction;
import dev.snapflow.engine.api.ProcessFunction;
import dev.snapflow.engine.api.Sink;
import dev.snapflow.engine.api.Source;

import java.util.Objects;
import java.util.function.Supplier;

/** What an operator does: the user's source, function or sink. */
public sealed interface OperatorSpec {

    /** Reads records from a {@link Source}; has no input. */
    record SourceSpec(Source<?> source) implements OperatorSpec {
        public SourceSpec {
            Objects.requireNonNull(source, "source");
        }
    }

    record MapSpec(MapFunction<?, ?> function) implements OperatorSpec {
        public MapSpec {
            Objects.requireNonNull(function, "function");
        }
    }

    record FlatMapSpec(FlatMapFunction<?, ?> function) implements OperatorSpec {
        public FlatMapSpec {
            Objects.requireNonNull(function, "function");
        }
    }

    record FilterSpec(FilterFunction<?> function) implements OperatorSpec {
        public FilterSpec {
            Objects.requireNonNull(function, "function");
        }
    }

    /** A process function; the supplier makes one instance per subtask. */
    record ProcessSpec(Supplier<? extends ProcessFunction<?, ?>> functionFactory) implements OperatorSpec {
        public ProcessSpec {
            Objects.requireNonNull(functionFactory, "functionFactory");
        }
    }

    /** A keyed process function; the supplier makes one instance per subtask. */
    record KeyedProcessSpec(Supplier<? extends KeyedProcessFunction<?, ?, ?>> functionFactory) implements OperatorSpec {
        public KeyedProcessSpec {
            Objects.requireNonNull(functionFactory, "functionFactory");
        }
    }

    /** Writes records to a {@link Sink}; has no output. */
    record SinkSpec(Sink<?> sink) implements OperatorSpec {
        public SinkSpec {
            Objects.requireNonNull(sink, "sink");
        }
    }
}
