package dev.snapflow.engine.graph;

import dev.snapflow.engine.api.KeySelector;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link JobGraph} runs: operators joined by forward edges of equal parallelism are chained
 * into one subtask (records pass between them as method calls), and every other edge becomes a
 * network edge whose records travel through channel actors.
 *
 * <p>A chain's head is a source or an operator whose input is a network edge; every other member
 * has its input inside the chain. A network edge is all-to-all (one channel per producer and
 * consumer subtask pair), except {@link Partitioning#FORWARD}, which joins subtask i to subtask i.
 */
public final class ExecutionPlan {

    /**
     * Operators that run together in one subtask per parallel instance.
     *
     * @param id          index in {@link #chains()}
     * @param operatorIds head first, in topological order
     * @param parallelism shared by every member
     */
    public record Chain(int id, List<Integer> operatorIds, int parallelism) {
        public Chain {
            operatorIds = List.copyOf(operatorIds);
        }

        public int headId() {
            return operatorIds.get(0);
        }
    }

    /**
     * An edge whose records cross between chains through channels.
     *
     * @param id                  index in {@link #networkEdges()}
     * @param producerChain       the chain holding the producing operator
     * @param producerOperatorId  the producing operator
     * @param consumerChain       the chain whose head consumes the edge
     * @param partitioning        never FORWARD between different parallelisms
     * @param keySelector         present for HASH edges
     * @param producerParallelism the producing chain's parallelism
     * @param consumerParallelism the consuming chain's parallelism
     * @param consumerMaxParallelism the consuming operator's number of key groups
     */
    public record NetworkEdge(
            int id,
            int producerChain,
            int producerOperatorId,
            int consumerChain,
            Partitioning partitioning,
            Optional<KeySelector<?, ?>> keySelector,
            int producerParallelism,
            int consumerParallelism,
            int consumerMaxParallelism) {

        public boolean isPointwise() {
            return partitioning == Partitioning.FORWARD;
        }

        /** The number of channels a producer subtask writes to on this edge. */
        public int channelsPerProducer() {
            return isPointwise() ? 1 : consumerParallelism;
        }

        /** The number of channels a consumer subtask reads from on this edge. */
        public int channelsPerConsumer() {
            return isPointwise() ? 1 : producerParallelism;
        }

        /** The consumer subtask that producer subtask {@code producerIndex}'s channel {@code target} reaches. */
        public int consumerSubtask(int producerIndex, int target) {
            return isPointwise() ? producerIndex : target;
        }

        /** The input channel index at the consumer for the channel from {@code producerIndex}. */
        public int consumerChannelIndex(int producerIndex) {
            return isPointwise() ? 0 : producerIndex;
        }
    }

    private final JobGraph graph;
    private final List<Chain> chains;
    private final List<NetworkEdge> networkEdges;
    /** chainOf[operatorId]: the chain the operator runs in. */
    private final int[] chainOf;

    private ExecutionPlan(JobGraph graph, List<Chain> chains, List<NetworkEdge> networkEdges, int[] chainOf) {
        this.graph = graph;
        this.chains = List.copyOf(chains);
        this.networkEdges = List.copyOf(networkEdges);
        this.chainOf = chainOf;
    }

    /** Chains every forward edge between chainable operators of equal parallelism. */
    public static ExecutionPlan of(JobGraph graph) {
        Objects.requireNonNull(graph, "graph");
        List<OperatorNode> operators = graph.operators();
        int[] chainOf = new int[operators.size()];
        List<List<Integer>> members = new ArrayList<>();
        for (OperatorNode node : operators) {
            Optional<StreamEdge> input = node.input();
            if (input.isPresent() && isChained(input.get(), node, graph.operator(input.get().sourceId()))) {
                int chain = chainOf[input.get().sourceId()];
                chainOf[node.id()] = chain;
                members.get(chain).add(node.id());
            } else {
                chainOf[node.id()] = members.size();
                List<Integer> chain = new ArrayList<>();
                chain.add(node.id());
                members.add(chain);
            }
        }
        List<Chain> chains = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            chains.add(new Chain(i, members.get(i), operators.get(members.get(i).get(0)).parallelism()));
        }
        List<NetworkEdge> edges = new ArrayList<>();
        for (OperatorNode node : operators) {
            node.input().ifPresent(edge -> {
                OperatorNode producer = graph.operator(edge.sourceId());
                if (chainOf[producer.id()] != chainOf[node.id()]) {
                    edges.add(new NetworkEdge(edges.size(), chainOf[producer.id()], producer.id(), chainOf[node.id()],
                            edge.partitioning(), edge.keySelector(), producer.parallelism(), node.parallelism(),
                            node.maxParallelism()));
                }
            });
        }
        return new ExecutionPlan(graph, chains, edges, chainOf);
    }

    private static boolean isChained(StreamEdge edge, OperatorNode consumer, OperatorNode producer) {
        return edge.partitioning() == Partitioning.FORWARD
                && consumer.chainable()
                && consumer.parallelism() == producer.parallelism();
    }

    public JobGraph graph() {
        return graph;
    }

    public List<Chain> chains() {
        return chains;
    }

    public List<NetworkEdge> networkEdges() {
        return networkEdges;
    }

    /** "operator (i/p)", as subtasks and channels are named in metrics and logs. */
    public static String subtaskName(String operatorName, int index, int parallelism) {
        return operatorName + " (" + (index + 1) + "/" + parallelism + ")";
    }

    /** A subtask's name: its chain head's, with its index and the chain's parallelism. */
    public String subtaskName(SubtaskId subtask) {
        Chain chain = chains.get(subtask.chainId());
        return subtaskName(graph.operator(chain.headId()).name(), subtask.subtaskIndex(), chain.parallelism());
    }

    public Chain chainOf(int operatorId) {
        return chains.get(chainOf[operatorId]);
    }

    /** The network edge into a chain's head; empty for source chains. */
    public Optional<NetworkEdge> inputOf(int chainId) {
        return networkEdges.stream().filter(e -> e.consumerChain() == chainId).findFirst();
    }

    /** The network edges leaving a chain, in edge order. */
    public List<NetworkEdge> outputsOf(int chainId) {
        return networkEdges.stream().filter(e -> e.producerChain() == chainId).toList();
    }

    /** The network edges leaving one operator. */
    public List<NetworkEdge> outputsOfOperator(int operatorId) {
        return networkEdges.stream().filter(e -> e.producerOperatorId() == operatorId).toList();
    }

    /** The operators consuming operator {@code operatorId}'s output inside its own chain. */
    public List<OperatorNode> chainedOutputsOf(int operatorId) {
        return graph.downstreamOf(operatorId).stream()
                .filter(node -> chainOf[node.id()] == chainOf[operatorId])
                .toList();
    }
}
