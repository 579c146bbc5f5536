package dev.snapflow.engine.job;

import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.OperatorNode;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.engine.storage.CheckpointMetadata;
import dev.snapflow.engine.storage.CheckpointStorage;
import dev.snapflow.engine.storage.StateHandle;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A completed checkpoint loaded for a job to start from, with every subtask's state, checked
 * against the job's execution plan: the same chains at the same parallelism, and no state for an
 * operator the job does not have.
 *
 * @param checkpointId the restored checkpoint; the job's next checkpoint gets the next id
 * @param states       each subtask's state, by the subtask it belongs to in the new job
 */
public record RestoredCheckpoint(long checkpointId, Map<SubtaskId, SubtaskState> states) {

    public RestoredCheckpoint {
        states = Map.copyOf(states);
    }

    /**
     * Reads the newest intact checkpoint of {@code storage} for {@code plan}.
     *
     * @throws IOException              if there is no intact checkpoint or a file cannot be read
     * @throws IllegalArgumentException naming the operator, if the checkpoint does not fit the plan
     */
    public static RestoredCheckpoint latest(CheckpointStorage storage, ExecutionPlan plan) throws IOException {
        CheckpointMetadata metadata = storage.latestCompleted()
                .orElseThrow(() -> new IOException("There is no intact completed checkpoint to restore from"));
        Map<SubtaskId, SubtaskState> states = new HashMap<>();
        for (Map.Entry<SubtaskId, StateHandle> entry : metadata.states().entrySet()) {
            states.put(entry.getKey(), storage.readState(entry.getValue()));
        }
        check(metadata, states, plan);
        return new RestoredCheckpoint(metadata.checkpointId(), states);
    }

    private static void check(CheckpointMetadata metadata, Map<SubtaskId, SubtaskState> states, ExecutionPlan plan) {
        Map<Integer, Integer> oldParallelism = new HashMap<>();
        metadata.states().keySet().forEach(id -> oldParallelism.merge(id.chainId(), 1, Integer::sum));
        if (oldParallelism.size() != plan.chains().size()) {
            throw new IllegalArgumentException("Checkpoint " + metadata.checkpointId() + " of job '" + metadata.jobName()
                    + "' has " + oldParallelism.size() + " chains of operators, job '" + plan.graph().name() + "' has "
                    + plan.chains().size() + "; restoring into a different job graph is not supported yet");
        }
        for (ExecutionPlan.Chain chain : plan.chains()) {
            OperatorNode head = plan.graph().operator(chain.headId());
            int old = oldParallelism.getOrDefault(chain.id(), 0);
            if (old != chain.parallelism()) {
                throw new IllegalArgumentException("Operator '" + head.name() + "' ran with parallelism " + old
                        + " in checkpoint " + metadata.checkpointId() + " and has " + chain.parallelism()
                        + " now; restoring at another parallelism is not supported yet");
            }
            Set<String> names = new HashSet<>();
            for (int id : chain.operatorIds()) {
                names.add(plan.graph().operator(id).name());
            }
            for (int index = 0; index < chain.parallelism(); index++) {
                SubtaskState state = states.get(new SubtaskId(chain.id(), index));
                for (String entry : state.operators()) {
                    String operator = entry.endsWith("/keyed") || entry.endsWith("/operator")
                            ? entry.substring(0, entry.lastIndexOf('/')) : entry;
                    if (!names.contains(operator)) {
                        throw new IllegalArgumentException("Checkpoint " + metadata.checkpointId() + " has state for operator '"
                                + operator + "', which job '" + plan.graph().name() + "' does not have where it was");
                    }
                }
            }
        }
    }
}
