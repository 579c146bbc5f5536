package dev.snapflow.engine.job;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** How a job ended, as the job master reports it; the job handle turns it into the user's result. */
public sealed interface JobOutcome {

    /**
     * Every subtask finished.
     *
     * @param sinks by sink operator name, in job order
     */
    record Finished(Duration duration, Map<String, SinkTotal> sinks) implements JobOutcome {
        public Finished {
            sinks = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sinks));
        }
    }

    /**
     * What one sink operator received over all its subtasks.
     *
     * @param collected for collecting sinks, the records of subtask 0, then 1, and so on
     */
    record SinkTotal(String operatorName, long records, Optional<List<Object>> collected) {
    }

    /**
     * A subtask failed, or an actor of the job stopped unexpectedly.
     *
     * @param operatorName the operator that threw
     * @param subtaskIndex the failed subtask's index
     * @param parallelism  the failed operator's parallelism
     */
    record Failed(String operatorName, int subtaskIndex, int parallelism, Throwable cause) implements JobOutcome {
    }

    /** The job was cancelled through its handle. */
    record Cancelled() implements JobOutcome {
    }
}
