package dev.snapflow.engine.graph;

/** A sink operator, returned so that its parallelism and chaining can be set. */
public final class SinkOperator {

    private final JobBuilder.Draft draft;

    SinkOperator(JobBuilder.Draft draft) {
        this.draft = draft;
    }

    public SinkOperator parallelism(int parallelism) {
        draft.parallelism = parallelism;
        return this;
    }

    public SinkOperator maxParallelism(int maxParallelism) {
        draft.maxParallelism = maxParallelism;
        return this;
    }

    /** Sets the sink's uid, which its checkpointed state is stored under; defaults to the name. */
    public SinkOperator uid(String uid) {
        draft.uid = java.util.Objects.requireNonNull(uid, "uid");
        return this;
    }

    public SinkOperator startNewChain() {
        draft.chainable = false;
        return this;
    }
}
