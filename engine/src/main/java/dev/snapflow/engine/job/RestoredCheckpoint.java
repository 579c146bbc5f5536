package dev.snapflow.engine.job;

import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.OperatorNode;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.state.HeapKeyedStateBackend;
import dev.snapflow.engine.state.KeyedStateChain;
import dev.snapflow.engine.state.InFlightPart;
import dev.snapflow.engine.state.RestoredState;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.engine.storage.CheckpointMetadata;
import dev.snapflow.engine.storage.CheckpointStorage;
import dev.snapflow.engine.storage.SnapshotDirectory;
import dev.snapflow.engine.storage.StateHandle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A completed checkpoint loaded for a job to start from, its state assigned to the new job's
 * subtasks by operator uid (the name unless the user set one). An operator may run at another
 * parallelism than when the checkpoint was taken if all its state can be redistributed: keyed
 * state goes by key group (each new subtask reads the old snapshots and keeps its own key groups)
 * and operator lists are split or unioned. Source positions and a function's own bytes cannot be split: those operators must keep
 * their parallelism.
 *
 * <p>Keyed state keeps the max parallelism (number of key groups) it was written with: an operator
 * whose max parallelism the job leaves to the default adopts it, as in Flink, so {@link #plan()}
 * may differ from the plan given; one that sets another is refused.
 *
 * @param checkpointId the restored checkpoint; the job's next checkpoint gets the next id
 * @param states       what each subtask of the new job starts from
 * @param plan         the plan the states are assigned to: the given one, with restored max parallelism adopted
 */
public record RestoredCheckpoint(long checkpointId, Map<SubtaskId, RestoredState> states, ExecutionPlan plan) {


    public RestoredCheckpoint {
        states = Map.copyOf(states);
    }

    /**
     * Reads the newest intact checkpoint of {@code storage} and assigns it to the subtasks of {@code plan}.
     *
     * @param allowNonRestoredState whether state of operators {@code plan} lacks is dropped rather than refused
     * @throws IOException              if there is no intact checkpoint or a file cannot be read
     * @throws IllegalArgumentException naming the operator, if the checkpoint does not fit the plan
     */
    public static RestoredCheckpoint latest(CheckpointStorage storage, ExecutionPlan plan, boolean allowNonRestoredState)
            throws IOException {
        return findLatest(storage, plan, allowNonRestoredState)
                .orElseThrow(() -> new IOException("There is no intact completed checkpoint to restore from"));
    }

    /**
     * As {@link #latest}, but empty when the storage holds no completed checkpoint.
     *
     * @throws IOException if it holds completed checkpoints but none is intact: starting without
     *                     state would silently lose what they hold
     */
    public static Optional<RestoredCheckpoint> findLatest(CheckpointStorage storage, ExecutionPlan plan,
                                                          boolean allowNonRestoredState) throws IOException {
        Optional<CheckpointMetadata> latest = storage.latestCompleted();
        if (latest.isEmpty()) {
            List<Long> completed = storage.completedCheckpointIds();
            if (!completed.isEmpty()) {
                throw new IOException("None of the completed checkpoints " + completed + " can be read back intact (see the"
                        + " warnings naming their damaged files); the job does not start without their state");
            }
            return Optional.empty();
        }
        return Optional.of(read(storage, latest.get(), plan, allowNonRestoredState));
    }

    /**
     * Reads completed checkpoint {@code checkpointId} of {@code storage} and assigns it to the
     * subtasks of {@code plan}: what each node of a cluster does to restore its own subtasks.
     *
     * @throws IOException if that checkpoint is not there, or a file cannot be read
     */
    public static RestoredCheckpoint of(CheckpointStorage storage, long checkpointId, ExecutionPlan plan,
                                        boolean allowNonRestoredState) throws IOException {
        CheckpointMetadata metadata = storage.readMetadata(checkpointId)
                .orElseThrow(() -> new IOException("Completed checkpoint " + checkpointId + " is not in the job's storage"));
        return read(storage, metadata, plan, allowNonRestoredState);
    }

    private static RestoredCheckpoint read(CheckpointStorage storage, CheckpointMetadata metadata, ExecutionPlan plan,
                                           boolean allowNonRestoredState) throws IOException {
        Map<SubtaskId, SubtaskState> old = new HashMap<>();
        for (Map.Entry<SubtaskId, StateHandle> entry : metadata.states().entrySet()) {
            // Chains of shared files are read here, from the storage the checkpoint is in.
            old.put(entry.getKey(), KeyedStateChain.resolve(storage.readState(entry.getValue()), storage));
        }
        return assign(metadata.checkpointId(), old, plan, allowNonRestoredState);
    }

    /** Assigns a snapshot read back from its own directory (a savepoint, or one checkpoint) to the subtasks of {@code plan}. */
    public static RestoredCheckpoint of(SnapshotDirectory.Snapshot snapshot, ExecutionPlan plan, boolean allowNonRestoredState)
            throws IOException {
        return assign(snapshot.metadata().checkpointId(), snapshot.states(), plan, allowNonRestoredState);
    }

    /** Assigns the old subtasks' states to the new plan's subtasks; see the class description. */
    static RestoredCheckpoint assign(long checkpointId, Map<SubtaskId, SubtaskState> old, ExecutionPlan requested,
                                     boolean allowNonRestoredState) throws IOException {
        Map<String, Integer> keyedMaxParallelism = keyedMaxParallelism(checkpointId, old);
        ExecutionPlan plan = ExecutionPlan.of(requested.graph().withRestoredMaxParallelism(keyedMaxParallelism));
        Map<Integer, Integer> oldParallelism = new HashMap<>();
        old.keySet().forEach(id -> oldParallelism.merge(id.chainId(), 1, Integer::sum));
        Map<String, Integer> oldChainOfOperator = new HashMap<>();
        old.forEach((id, state) -> state.operators().stream().filter(part -> !part.startsWith(SubtaskState.IN_FLIGHT_PREFIX))
                .forEach(part -> oldChainOfOperator.put(SubtaskState.operatorOf(part), id.chainId())));
        for (String operator : oldChainOfOperator.keySet()) {
            if (!allowNonRestoredState && plan.graph().operators().stream().noneMatch(node -> node.uid().equals(operator))) {
                throw new IllegalArgumentException("Checkpoint " + checkpointId + " has state for operator '" + operator
                        + "', which job '" + plan.graph().name() + "' does not have; allow dropping it with"
                        + " RestoreSettings.allowingNonRestoredState()");
            }
        }
        Map<SubtaskId, Map<String, List<byte[]>>> assigned = new HashMap<>();
        for (ExecutionPlan.Chain chain : plan.chains()) {
            for (int index = 0; index < chain.parallelism(); index++) {
                assigned.put(new SubtaskId(chain.id(), index), new HashMap<>());
            }
            for (int operatorId : chain.operatorIds()) {
                OperatorNode node = plan.graph().operator(operatorId);
                Integer oldChain = oldChainOfOperator.get(node.uid());
                if (oldChain != null) {
                    assignOperator(checkpointId, node, chain, oldChain, oldParallelism.get(oldChain), old, assigned);
                }
            }
        }
        refuseMixedFinishedChains(checkpointId, plan, assigned);
        for (Map.Entry<SubtaskId, SubtaskState> entry : old.entrySet()) {
            for (String part : entry.getValue().operators()) {
                Optional<InFlightPart> channel = InFlightPart.parse(part);
                if (channel.isPresent()) {
                    SubtaskId owner = new SubtaskId(chainOwning(checkpointId, channel.get(), plan), entry.getKey().subtaskIndex());
                    assigned.get(owner).put(part, List.of(entry.getValue().operatorState(part).orElseThrow()));
                }
            }
        }
        Map<SubtaskId, RestoredState> states = new HashMap<>();
        assigned.forEach((id, parts) -> states.put(id, new RestoredState(parts)));
        return new RestoredCheckpoint(checkpointId, states, plan);
    }

    /**
     * A subtask runs its chain as a whole: either every operator of it had finished (it is deployed
     * as finished) or none had. A chain that joins a finished operator with one that had not (they
     * ran in separate chains, or one is new) would run the finished one's {@code finish} again, so
     * it is refused, as Flink refuses a vertex of mixed finished states.
     */
    private static void refuseMixedFinishedChains(long checkpointId, ExecutionPlan plan,
                                                  Map<SubtaskId, Map<String, List<byte[]>>> assigned) {
        for (ExecutionPlan.Chain chain : plan.chains()) {
            for (int index = 0; index < chain.parallelism(); index++) {
                Map<String, List<byte[]>> parts = assigned.get(new SubtaskId(chain.id(), index));
                List<String> finished = new ArrayList<>();
                List<String> running = new ArrayList<>();
                for (int operatorId : chain.operatorIds()) {
                    OperatorNode node = plan.graph().operator(operatorId);
                    (parts.containsKey(node.uid() + SubtaskState.FINISHED_SUFFIX) ? finished : running).add("'" + node.name() + "'");
                }
                if (!finished.isEmpty() && !running.isEmpty()) {
                    throw new IllegalArgumentException("Checkpoint " + checkpointId + " has operators " + String.join(", ", finished)
                            + " finished and " + String.join(", ", running) + " not (subtask " + (index + 1) + " of "
                            + chain.parallelism() + "), but the job chains them together: a finished operator would finish"
                            + " again; keep them in separate chains (startNewChain) as they were");
                }
            }
        }
    }

    /**
     * This restore with every source told to stop at once, as the savepoint that stopped the job
     * left them: they emit nothing and end their output without finishing the job (K12).
     */
    public RestoredCheckpoint withSourcesStopped() {
        Map<SubtaskId, RestoredState> stopped = new HashMap<>();
        states.forEach((id, state) -> {
            boolean source = plan.graph().operator(plan.chains().get(id.chainId()).headId()).isSource();
            stopped.put(id, source ? state.with(SubtaskState.STOP_SOURCE_MARKER, new byte[0]) : state);
        });
        return new RestoredCheckpoint(checkpointId, stopped, plan);
    }

    /** The max parallelism each operator's keyed state was written with, by operator uid. */
    private static Map<String, Integer> keyedMaxParallelism(long checkpointId, Map<SubtaskId, SubtaskState> old)
            throws IOException {
        Map<String, Integer> byUid = new HashMap<>();
        for (SubtaskState state : old.values()) {
            for (String part : state.operators()) {
                if (part.endsWith(SubtaskState.KEYED_SUFFIX)) {
                    byte[] bytes = state.operatorState(part).orElseThrow();
                    int maxParallelism = HeapKeyedStateBackend.maxParallelismOf(bytes);
                    Integer other = byUid.putIfAbsent(SubtaskState.operatorOf(part), maxParallelism);
                    if (other != null && other != maxParallelism) {
                        throw new IOException("Checkpoint " + checkpointId + " holds keyed state of operator '" + SubtaskState.operatorOf(part)
                                + "' with max parallelism " + other + " and " + maxParallelism + ": it is damaged");
                    }
                }
            }
        }
        return byUid;
    }

    /**
     * In-flight data belongs to a channel between two particular subtasks, so it restores only
     * into a job with the same network edge (the same producing operator and consuming chain head,
     * by uid), partitioned the same way (records a broadcast copied, or a round robin sent, must not
     * reach a keyed operator as if they were its keys) and at the same parallelism at both ends
     * (Flink can split it by partitioner; Snapflow refuses rather than guess); it is found by that
     * identity, whatever order the job declares its pipelines in.
     *
     * @return the new plan's chain that holds the channel's end this part belongs to
     */
    private static int chainOwning(long checkpointId, InFlightPart channel, ExecutionPlan plan) {
        for (ExecutionPlan.NetworkEdge edge : plan.networkEdges()) {
            String producer = plan.graph().operator(edge.producerOperatorId()).uid();
            String consumer = plan.graph().operator(plan.chains().get(edge.consumerChain()).headId()).uid();
            if (producer.equals(channel.producerUid()) && consumer.equals(channel.consumerUid())) {
                String partitioning = InFlightPart.partitioningName(edge.partitioning().name());
                if (!partitioning.equals(channel.partitioning())) {
                    throw new IllegalArgumentException("Checkpoint " + checkpointId + " is an unaligned checkpoint with in-flight"
                            + " data on edge " + channel.edge() + ", which was partitioned by " + channel.partitioning()
                            + " and now by " + partitioning + "; restore the job with the edge's old partitioning, or restore"
                            + " from a savepoint, which holds no in-flight data");
                }
                if (edge.producerParallelism() != channel.producerParallelism()
                        || edge.consumerParallelism() != channel.consumerParallelism()) {
                    throw new IllegalArgumentException("Checkpoint " + checkpointId + " is an unaligned checkpoint with in-flight"
                            + " data on edge " + channel.edge() + ", which restores only at the parallelism it was taken with ("
                            + channel.producerParallelism() + " to " + channel.consumerParallelism() + ", now "
                            + edge.producerParallelism() + " to " + edge.consumerParallelism() + "); to rescale, restore from a"
                            + " savepoint, which is always aligned");
                }
                return channel.input() ? edge.consumerChain() : edge.producerChain();
            }
        }
        throw new IllegalArgumentException("Checkpoint " + checkpointId + " is an unaligned checkpoint with in-flight data on"
                + " edge " + channel.edge() + ", which job '" + plan.graph().name() + "' does not have (between operators"
                + " with those uids); restore a job with that edge, or restore from a savepoint, which holds no in-flight data");
    }

    private static void assignOperator(long checkpointId, OperatorNode node, ExecutionPlan.Chain chain, int oldChain,
                                       int oldParallelism, Map<SubtaskId, SubtaskState> old,
                                       Map<SubtaskId, Map<String, List<byte[]>>> assigned) throws IOException {
        String uid = node.uid();
        int newParallelism = chain.parallelism();
        List<Optional<byte[]>> raw = parts(old, oldChain, oldParallelism, uid);
        List<Optional<byte[]>> keyed = parts(old, oldChain, oldParallelism, uid + SubtaskState.KEYED_SUFFIX);
        List<Optional<byte[]>> operator = parts(old, oldChain, oldParallelism, uid + SubtaskState.OPERATOR_SUFFIX);
        List<Optional<byte[]>> finished = parts(old, oldChain, oldParallelism, uid + SubtaskState.FINISHED_SUFFIX);
        long finishedSubtasks = finished.stream().filter(Optional::isPresent).count();
        if (oldParallelism != newParallelism && finishedSubtasks > 0 && finishedSubtasks < oldParallelism) {
            throw new IllegalArgumentException("Operator '" + node.name() + "' had finished in " + finishedSubtasks + " of its "
                    + oldParallelism + " subtasks in checkpoint " + checkpointId + "; a partly finished operator restores only at"
                    + " the parallelism it had (" + oldParallelism + "), not at " + newParallelism);
        }
        if (oldParallelism != newParallelism && raw.stream().anyMatch(Optional::isPresent)) {
            throw new IllegalArgumentException("Operator '" + node.name() + "' ran with parallelism " + oldParallelism
                    + " in checkpoint " + checkpointId + " and has " + newParallelism + " now, but its state (a source position"
                    + " or a CheckpointedFunction's bytes) cannot be split; keep its parallelism");
        }
        List<Map<String, List<byte[]>>> rescaled = oldParallelism == newParallelism ? null
                : RestoredState.rescaledParts(keyed.stream().flatMap(Optional::stream).toList(),
                operator.stream().flatMap(Optional::stream).toList(), newParallelism);
        for (int index = 0; index < newParallelism; index++) {
            Map<String, List<byte[]>> parts = assigned.get(new SubtaskId(chain.id(), index));
            if (oldParallelism == newParallelism) {
                raw.get(index).ifPresent(bytes -> parts.put(uid, List.of(bytes)));
                keyed.get(index).ifPresent(bytes -> parts.put(uid + SubtaskState.KEYED_SUFFIX, List.of(bytes)));
                operator.get(index).ifPresent(bytes -> parts.put(uid + SubtaskState.OPERATOR_SUFFIX, List.of(bytes)));
                finished.get(index).ifPresent(bytes -> parts.put(uid + SubtaskState.FINISHED_SUFFIX, List.of(bytes)));
            } else {
                if (finishedSubtasks == oldParallelism) {
                    parts.put(uid + SubtaskState.FINISHED_SUFFIX, List.of(new byte[0]));
                }
                rescaled.get(index).forEach((suffix, snapshots) -> parts.put(uid + suffix, snapshots));
            }
        }
    }

    /** Part {@code part} of each old subtask of the chain, by old subtask index. */
    private static List<Optional<byte[]>> parts(Map<SubtaskId, SubtaskState> old, int chain, int parallelism, String part) {
        List<Optional<byte[]>> parts = new ArrayList<>();
        for (int index = 0; index < parallelism; index++) {
            SubtaskState state = old.get(new SubtaskId(chain, index));
            parts.add(state == null ? Optional.empty() : state.operatorState(part));
        }
        return parts;
    }
}
