package dev.snapflow.engine.api;

/**
 * Where a function instance runs.
 *
 * @param operatorName   the operator's name in the job
 * @param operatorUid    the operator's uid: its state is stored under it (the name unless set)
 * @param subtaskIndex   this instance's index, {@code 0 <= subtaskIndex < parallelism}
 * @param parallelism    the operator's parallelism
 * @param maxParallelism the operator's number of key groups
 */
public record RuntimeContext(String operatorName, String operatorUid, int subtaskIndex, int parallelism, int maxParallelism) {
    public RuntimeContext {
        if (subtaskIndex < 0 || subtaskIndex >= parallelism) {
            throw new IllegalArgumentException("subtaskIndex " + subtaskIndex + " outside [0, " + parallelism + ")");
        }
    }

    /** "name (i/p)", the way logs and errors name a subtask. */
    public String subtaskName() {
        return operatorName + " (" + (subtaskIndex + 1) + "/" + parallelism + ")";
    }
}
