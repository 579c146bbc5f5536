package dev.snapflow.samples;

import dev.snapflow.engine.JobAttemptFailure;
import dev.snapflow.engine.JobHandle;

import java.io.PrintStream;

/** How the samples show a job's failed attempts: one line each, with the innermost cause's message. */
public final class FailedAttempts {

    private FailedAttempts() {
    }

    /** Prints {@code job}'s failed attempts, naming subtasks "i/parallelism" of its failing operator. */
    public static void print(JobHandle job, int parallelism, PrintStream out) {
        out.println("Failed attempts:");
        for (JobAttemptFailure failure : job.failedAttempts()) {
            out.printf("  attempt %d failed in %s (%d/%d): %s; restarted: %s%n", failure.attempt(), failure.operatorName(),
                    failure.subtaskIndex() + 1, parallelism, rootCause(failure.cause()).getMessage(), failure.restarted());
        }
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
