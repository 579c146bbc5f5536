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

    /** The operators that consume operator {@code id}'s output, in creation order. */
    public List<OperatorNode> downstreamOf(int id) {
        return downstream.get(id).stream().map(operators::get).toList();
    }

    @Override
    public String toString() {
        return "JobGraph[" + name + ", " + operators.stream().map(OperatorNode::name).toList() + "]";
    }
}
