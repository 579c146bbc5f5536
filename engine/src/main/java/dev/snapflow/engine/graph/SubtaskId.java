package dev.snapflow.engine.graph;

/**
 * Identifies one subtask of a job.
 *
 * @param chainId      the chain in the execution plan
 * @param subtaskIndex the parallel instance, {@code >= 0}
 */
public record SubtaskId(int chainId, int subtaskIndex) {
    public SubtaskId {
        if (chainId < 0 || subtaskIndex < 0) {
            throw new IllegalArgumentException("Ids must be >= 0, were chain " + chainId + " and subtask " + subtaskIndex);
        }
    }
}
