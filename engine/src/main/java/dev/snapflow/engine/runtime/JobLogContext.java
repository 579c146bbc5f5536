package dev.snapflow.engine.runtime;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.SubtaskId;
import org.slf4j.MDC;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a log line of a job's actors says about where it comes from, as SLF4J MDC entries: the
 * job, the attempt, and for a subtask its operator and index. Akka sets them while an actor
 * handles a message ({@code Behaviors.withMdc}), so they are on its own lines and on those of the
 * user functions it runs; channel actors, which log nothing, go without (the interceptor costs on
 * every batch they move). Work a job's actors hand to other threads (checkpoint deletions,
 * retention) sets them with {@link #run}. Show them in a Logback pattern with {@code %X{snapflow}}
 * (everything, as {@code "word-count #2 count (1/2)"}) or the single keys. Immutable.
 */
public final class JobLogContext {

    /** The job's name. */
    public static final String JOB = "snapflowJob";
    /** The attempt's number, from 1; restarts count up. */
    public static final String ATTEMPT = "snapflowAttempt";
    /** The name of the subtask's chain head. */
    public static final String OPERATOR = "snapflowOperator";
    /** The subtask's index from 1 and its parallelism, as {@code "1/2"}. */
    public static final String SUBTASK = "snapflowSubtask";
    /** All of the above in one readable value. */
    public static final String SUMMARY = "snapflow";

    private final String job;
    private final int attempt;
    private final String operator;
    private final String subtask;

    private JobLogContext(String job, int attempt, String operator, String subtask) {
        this.job = job;
        this.attempt = attempt;
        this.operator = operator;
        this.subtask = subtask;
    }

    public static JobLogContext job(String jobName) {
        return new JobLogContext(Objects.requireNonNull(jobName, "jobName"), 0, null, null);
    }

    public JobLogContext attempt(int attempt) {
        return new JobLogContext(job, attempt, operator, subtask);
    }

    /** Subtask {@code id} of {@code plan}, named by its chain's head and shown from 1. */
    public JobLogContext subtask(ExecutionPlan plan, SubtaskId id) {
        ExecutionPlan.Chain chain = plan.chains().get(id.chainId());
        return new JobLogContext(job, attempt, plan.graph().operator(chain.headId()).name(),
                (id.subtaskIndex() + 1) + "/" + chain.parallelism());
    }

    public String jobName() {
        return job;
    }

    public Map<String, String> mdc() {
        Map<String, String> mdc = new LinkedHashMap<>();
        StringBuilder summary = new StringBuilder(job);
        mdc.put(JOB, job);
        if (attempt > 0) {
            mdc.put(ATTEMPT, Integer.toString(attempt));
            summary.append(" #").append(attempt);
        }
        if (operator != null) {
            mdc.put(OPERATOR, operator);
            summary.append(' ').append(operator);
        }
        if (subtask != null) {
            mdc.put(SUBTASK, subtask);
            summary.append(" (").append(subtask).append(')');
        }
        mdc.put(SUMMARY, summary.toString());
        return mdc;
    }

    /** {@code behavior} with this context on every line it logs through its actor context. */
    public <T> Behavior<T> around(Class<T> messageType, Behavior<T> behavior) {
        return Behaviors.withMdc(messageType, mdc(), behavior);
    }

    /** Runs {@code work} on the current thread with this context in the MDC, restoring what was there. */
    public void run(Runnable work) {
        Map<String, String> previous = MDC.getCopyOfContextMap();
        mdc().forEach(MDC::put);
        try {
            work.run();
        } finally {
            if (previous == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(previous);
            }
        }
    }

    @Override
    public String toString() {
        return mdc().get(SUMMARY);
    }
}
