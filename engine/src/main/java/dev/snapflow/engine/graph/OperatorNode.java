package dev.snapflow.engine.graph;

import java.util.Objects;
import java.util.Optional;

/**
 * One operator of a validated job graph.
 *
 * @param id             position in the graph, {@code >= 0}; inputs always have smaller ids
 * @param name           unique within the job
 * @param uid            what checkpointed state is matched by when a job is restored; unique
 *                       within the job, the name unless the user set one
 * @param parallelism    number of subtasks, {@code 1 <= parallelism <= maxParallelism}
 * @param maxParallelism number of key groups, {@code 1..32768}
 * @param maxParallelismSet true if the user set the max parallelism; false if it is the default
 *                       for the parallelism, which a restore replaces by the one the state was
 *                       written with
 * @param chainable      false if the user asked to start a new chain at this operator
 * @param spec           what the operator does
 * @param input          the input edge; empty exactly for sources
 */
public record OperatorNode(
        int id,
        String name,
        String uid,
        int parallelism,
        int maxParallelism,
        boolean maxParallelismSet,
        boolean chainable,
        OperatorSpec spec,
        Optional<StreamEdge> input) {

    public OperatorNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(input, "input");
    }

    /** This operator with another max parallelism, as a restore adopts it from the state. */
    OperatorNode withMaxParallelism(int value) {
        return new OperatorNode(id, name, uid, parallelism, value, maxParallelismSet, chainable, spec, input);
    }

    public boolean isSource() {
        return spec instanceof OperatorSpec.SourceSpec;
    }

    public boolean isSink() {
        return spec instanceof OperatorSpec.SinkSpec;
    }

    /** True if records reach this operator through a keyBy. */
    public boolean isKeyed() {
        return input.map(StreamEdge::isKeyed).orElse(false);
    }
}
