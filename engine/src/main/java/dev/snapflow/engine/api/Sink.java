package dev.snapflow.engine.api;

/**
 * Where records leave the job. Each subtask of a sink operator writes through its own
 * {@link SinkWriter}. Built-ins are in {@code dev.snapflow.engine.connectors.Sinks}.
 */
public interface Sink<T> {

    SinkWriter<T> createWriter(RuntimeContext context) throws Exception;
}
