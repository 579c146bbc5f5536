package dev.snapflow.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a job that finished produced: per sink, how many records it received and, for
 * collecting sinks, the records themselves.
 *
 * @param jobName  the job's name
 * @param duration from deployment to the last subtask finishing
 * @param sinks    by sink operator name, in the order the job defines them
 */
public record JobResult(String jobName, Duration duration, Map<String, SinkSummary> sinks) {

    /**
     * One sink operator's outcome over all its subtasks.
     *
     * @param collected for a collecting sink, subtask 0's records in order, then subtask 1's, ...
     */
    public record SinkSummary(String operatorName, long records, Optional<List<Object>> collected) {
    }

    public JobResult {
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(duration, "duration");
        sinks = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sinks));
    }

    /**
     * The records a collecting sink received.
     *
     * @throws IllegalArgumentException if there is no such sink, it does not collect, or the job was
     *                                  stopped with a savepoint (which does not finish its sinks)
     */
    @SuppressWarnings("unchecked")
    public <T> List<T> collected(String sinkName) {
        SinkSummary sink = sinks.get(sinkName);
        if (sink == null) {
            throw new IllegalArgumentException("Job '" + jobName + "' has no sink '" + sinkName + "'; sinks are " + sinks.keySet());
        }
        return (List<T>) sink.collected().orElseThrow(() ->
                new IllegalArgumentException("Sink '" + sinkName + "' has no collected records: it does not collect"
                        + " (use Sinks.collect()), or the job was stopped with a savepoint, which does not finish its sinks"));
    }

    /** How many records sink {@code sinkName} received. */
    public long records(String sinkName) {
        SinkSummary sink = sinks.get(sinkName);
        if (sink == null) {
            throw new IllegalArgumentException("Job '" + jobName + "' has no sink '" + sinkName + "'; sinks are " + sinks.keySet());
        }
        return sink.records();
    }
}
