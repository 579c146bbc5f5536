package dev.snapflow.engine.graph;

import dev.snapflow.engine.api.KeySelector;
import dev.snapflow.engine.api.Source;
import dev.snapflow.engine.state.KeyGroupRangeAssignment;
import dev.snapflow.engine.state.SubtaskState;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Describes a job: start from {@link #source}, chain operators on the returned streams, end
 * every branch in a sink, then {@link #build()}. Not thread-safe; use it from one thread.
 *
 * <pre>{@code
 * JobBuilder job = JobBuilder.create("word-count").defaultParallelism(2);
 * job.source("lines", Sources.collection(lines))
 *    .flatMap("split", (String line, Collector<String> out) -> { for (String w : line.split(" ")) out.collect(w); })
 *    .keyBy(word -> word)
 *    .process("count", CountWords::new)
 *    .sink("counts", Sinks.collect());
 * JobGraph graph = job.build();
 * }</pre>
 */
public final class JobBuilder {

    /** How the user asked records to be partitioned into an operator; DEFAULT is resolved at build. */
    enum RequestedPartitioning { DEFAULT, FORWARD, REBALANCE, HASH, BROADCAST }

    /** An operator while the job is being described; parallelism and chaining may still change. */
    static final class Draft {
        final int id;
        final String name;
        final OperatorSpec spec;
        final Draft input;
        final RequestedPartitioning partitioning;
        final KeySelector<?, ?> keySelector;
        int parallelism;
        int maxParallelism = -1;
        boolean chainable = true;
        /** Null until the user sets one: the name is the uid then. */
        String uid;

        Draft(int id, String name, OperatorSpec spec, Draft input, RequestedPartitioning partitioning,
              KeySelector<?, ?> keySelector, int parallelism) {
            this.id = id;
            this.name = name;
            this.spec = spec;
            this.input = input;
            this.partitioning = partitioning;
            this.keySelector = keySelector;
            this.parallelism = parallelism;
        }
    }

    private final String jobName;
    private final List<Draft> drafts = new ArrayList<>();
    private int defaultParallelism = 1;

    private JobBuilder(String jobName) {
        this.jobName = jobName;
    }

    public static JobBuilder create(String jobName) {
        if (jobName == null || jobName.isBlank()) {
            throw new IllegalArgumentException("A job needs a name");
        }
        return new JobBuilder(jobName);
    }

    /** The parallelism of operators created after this call that do not set their own (default 1). */
    public JobBuilder defaultParallelism(int parallelism) {
        this.defaultParallelism = parallelism;
        return this;
    }

    /** Adds a source operator. */
    public <T> DataStream<T> source(String name, Source<T> source) {
        Draft draft = add(name, new OperatorSpec.SourceSpec(source), null, RequestedPartitioning.DEFAULT, null);
        return new DataStream<>(this, draft, RequestedPartitioning.DEFAULT, null);
    }

    Draft add(String name, OperatorSpec spec, Draft input, RequestedPartitioning partitioning, KeySelector<?, ?> keySelector) {
        Draft draft = new Draft(drafts.size(), name, spec, input, partitioning, keySelector, defaultParallelism);
        drafts.add(draft);
        return draft;
    }

    /**
     * Validates the job and freezes it.
     *
     * @throws IllegalArgumentException naming the operator, for an empty job, a job without a
     *                                  source or sink, a blank or duplicate name, a parallelism
     *                                  below 1 or above the max parallelism, a forward edge between
     *                                  different parallelisms, a keyBy without key selector, or an
     *                                  operator whose output goes nowhere
     */
    public JobGraph build() {
        if (drafts.isEmpty()) {
            throw new IllegalArgumentException("Job '" + jobName + "' has no operators");
        }
        if (drafts.stream().noneMatch(d -> d.spec instanceof OperatorSpec.SourceSpec)) {
            throw new IllegalArgumentException("Job '" + jobName + "' has no source");
        }
        if (drafts.stream().noneMatch(d -> d.spec instanceof OperatorSpec.SinkSpec)) {
            throw new IllegalArgumentException("Job '" + jobName + "' has no sink");
        }
        Set<String> names = new HashSet<>();
        Set<String> uids = new HashSet<>();
        Set<Integer> consumed = new HashSet<>();
        List<OperatorNode> nodes = new ArrayList<>();
        for (Draft draft : drafts) {
            if (draft.name == null || draft.name.isBlank()) {
                throw new IllegalArgumentException("Operator " + draft.id + " of job '" + jobName + "' needs a name");
            }
            if (!names.add(draft.name)) {
                throw new IllegalArgumentException("Operator name '" + draft.name + "' is used more than once in job '" + jobName + "'");
            }
            String uid = draft.uid == null ? draft.name : draft.uid;
            if (uid.isBlank()) {
                throw new IllegalArgumentException("Operator '" + draft.name + "': its uid must not be blank");
            }
            if ((uid + "/").startsWith(SubtaskState.IN_FLIGHT_PREFIX)) {
                throw new IllegalArgumentException("Operator '" + draft.name + "': its uid '" + uid
                        + "' is reserved for checkpoints' in-flight data; give the operator another uid or name");
            }
            if ((uid + "/").startsWith(SubtaskState.RESERVED_PREFIX)) {
                throw new IllegalArgumentException("Operator '" + draft.name + "': its uid '" + uid
                        + "' is reserved for what Snapflow keeps about a subtask; give the operator another uid or name");
            }
            if (!uids.add(uid)) {
                throw new IllegalArgumentException("Operator uid '" + uid + "' is used more than once in job '" + jobName
                        + "' (an operator without a uid uses its name)");
            }
            nodes.add(node(draft, uid));
            if (draft.input != null) {
                consumed.add(draft.input.id);
            }
        }
        for (Draft draft : drafts) {
            if (!(draft.spec instanceof OperatorSpec.SinkSpec) && !consumed.contains(draft.id)) {
                throw new IllegalArgumentException("Operator '" + draft.name
                        + "': its output goes nowhere; end every branch of the job in a sink");
            }
        }
        return new JobGraph(jobName, nodes);
    }

    private OperatorNode node(Draft draft, String uid) {
        String operator = "Operator '" + draft.name + "': ";
        if (draft.parallelism < 1) {
            throw new IllegalArgumentException(operator + "parallelism must be >= 1, was " + draft.parallelism);
        }
        int maxParallelism = draft.maxParallelism > 0
                ? draft.maxParallelism
                : KeyGroupRangeAssignment.defaultMaxParallelism(draft.parallelism);
        if (draft.maxParallelism != -1 && (draft.maxParallelism < 1
                || draft.maxParallelism > KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM)) {
            throw new IllegalArgumentException(operator + "max parallelism must be between 1 and "
                    + KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM + ", was " + draft.maxParallelism);
        }
        if (draft.parallelism > maxParallelism) {
            throw new IllegalArgumentException(operator + "parallelism " + draft.parallelism
                    + " exceeds its max parallelism " + maxParallelism);
        }
        return new OperatorNode(draft.id, draft.name, uid, draft.parallelism, maxParallelism, draft.maxParallelism != -1,
                draft.chainable, draft.spec,
                Optional.ofNullable(draft.input).map(input -> edge(draft, input, operator)));
    }

    private static StreamEdge edge(Draft draft, Draft input, String operator) {
        Partitioning partitioning = switch (draft.partitioning) {
            case DEFAULT -> draft.parallelism == input.parallelism ? Partitioning.FORWARD : Partitioning.REBALANCE;
            case FORWARD -> Partitioning.FORWARD;
            case REBALANCE -> Partitioning.REBALANCE;
            case HASH -> Partitioning.HASH;
            case BROADCAST -> Partitioning.BROADCAST;
        };
        if (partitioning == Partitioning.FORWARD && draft.parallelism != input.parallelism) {
            throw new IllegalArgumentException(operator + "forward partitioning needs the parallelism of its input '"
                    + input.name + "', but they are " + draft.parallelism + " and " + input.parallelism);
        }
        if (partitioning == Partitioning.HASH && draft.keySelector == null) {
            throw new IllegalArgumentException(operator + "keyBy needs a key selector");
        }
        return new StreamEdge(input.id, draft.id, partitioning, Optional.ofNullable(draft.keySelector));
    }

    String jobName() {
        return jobName;
    }

    static <T> T requireFunction(T function, String name) {
        return Objects.requireNonNull(function, () -> "Operator '" + name + "' needs a function");
    }
}
