package dev.snapflow.engine;

/**
 * A job failed because an operator threw (or an actor of the job stopped unexpectedly). The
 * cause is the user's exception; the message names the job, the operator and the subtask.
 */
public final class JobExecutionException extends RuntimeException {

    private final String jobName;
    private final String operatorName;
    private final int subtaskIndex;

    public JobExecutionException(String jobName, String operatorName, int subtaskIndex, int parallelism, Throwable cause) {
        super("Job '" + jobName + "' failed: operator '" + operatorName + "' subtask " + (subtaskIndex + 1) + "/"
                + parallelism + " threw " + cause, cause);
        this.jobName = jobName;
        this.operatorName = operatorName;
        this.subtaskIndex = subtaskIndex;
    }

    public String jobName() {
        return jobName;
    }

    public String operatorName() {
        return operatorName;
    }

    /** The failed subtask, counted from 0. */
    public int subtaskIndex() {
        return subtaskIndex;
    }
}
