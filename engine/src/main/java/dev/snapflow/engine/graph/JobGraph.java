package dev.snapflow.engine.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A validated, immutable job: operators in topological order (every input has a smaller id)
 * with their input edges. Made by {@link JobBuilder#build()}.
 */
public final class JobGraph {

    private final String name;
    private final List<OperatorNode> operators;
    /** downstream.get(id): the ids of the operators that read operator {@code id}'s output. */
    private final List<List<Integer>> downstream;

    JobGraph(String name, List<OperatorNode> operators) {
        this.name = Objects.requireNonNull(name, "name");
        this.operators = List.copyOf(operators);
        List<List<Integer>> targets = new ArrayList<>();
        for (int i = 0; i < operators.size(); i++) {
            targets.add(new ArrayList<>());
        }
        for (OperatorNode node : operators) {
            node.input().ifPresent(edge -> targets.get(edge.sourceId()).add(node.id()));
        }
        this.downstream = targets.stream().map(List::copyOf).toList();
    }

    public String name() {
        return name;
    }

    public List<OperatorNode> operators() {
        return operators;
    }

    public OperatorNode operator(int id) {
        return operators.get(id);
    }

    /**
     * This job with the max parallelism of some operators replaced, as a restore does for keyed
     * state written with another max parallelism (Flink does the same): an operator whose max
     * parallelism the user left to the default adopts the state's, one whose max parallelism the
     * user set must match it.
     *
     * @param byUid the max parallelism of the restored keyed state, by operator uid; uids the job
     *              does not have are ignored
     * @throws IllegalArgumentException naming the operator, if the user set another max
     *                                  parallelism or the parallelism exceeds the adopted one
     */
    public JobGraph withRestoredMaxParallelism(java.util.Map<String, Integer> byUid) {
        List<OperatorNode> adopted = new ArrayList<>(operators.size());
        for (OperatorNode node : operators) {
            Integer restored = byUid.get(node.uid());
            if (restored == null || restored == node.maxParallelism()) {
                adopted.add(node);
                continue;
            }
            String operator = "Operator '" + node.name() + "'";
            if (node.maxParallelismSet()) {
                throw new IllegalArgumentException(operator + " has max parallelism " + node.maxParallelism() + ", but its keyed"
                        + " state was written with max parallelism " + restored + ", which cannot change: set "
                        + restored + ", or leave it unset to adopt the state's");
            }
            if (node.parallelism() > restored) {
                throw new IllegalArgumentException(operator + " has parallelism " + node.parallelism() + ", more than the max"
                        + " parallelism " + restored + " its keyed state was written with (the number of key groups, which cannot"
                        + " change)");
            }
            adopted.add(node.withMaxParallelism(restored));
        }
        return new JobGraph(name, adopted);
    }

    /** The operators that consume operator {@code id}'s output, in creation order. */
    public List<OperatorNode> downstreamOf(int id) {
        return downstream.get(id).stream().map(operators::get).toList();
    }

    @Override
    public String toString() {
        return "JobGraph[" + name + ", " + operators.stream().map(OperatorNode::name).toList() + "]";
    }
}
