package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.state.InFlightPart;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Names one subtask's channels for its in-flight data ({@link InFlightPart}) and finds them again
 * on restore: input channel {@code c} is the channel from a producer subtask on the chain's input
 * edge, output channel {@code (edge, target)} the channel to a consumer subtask. Immutable.
 */
final class InFlightChannels {

    /** An output channel of this subtask: the writer of {@code edgeId}, its channel {@code target}. */
    record Output(int edgeId, int target) {
    }

    private final String chainName;
    private final Optional<ExecutionPlan.NetworkEdge> input;
    private final String inputProducerUid;
    private final String inputConsumerUid;
    private final int subtaskIndex;
    private final Map<Integer, ExecutionPlan.NetworkEdge> outputs = new HashMap<>();
    private final Map<Integer, String[]> outputUids = new HashMap<>();

    InFlightChannels(ExecutionPlan plan, ExecutionPlan.Chain chain, int subtaskIndex) {
        this.chainName = plan.graph().operator(chain.headId()).name();
        this.subtaskIndex = subtaskIndex;
        this.input = plan.inputOf(chain.id());
        this.inputProducerUid = input.map(edge -> plan.graph().operator(edge.producerOperatorId()).uid()).orElse(null);
        this.inputConsumerUid = plan.graph().operator(chain.headId()).uid();
        for (ExecutionPlan.NetworkEdge edge : plan.outputsOf(chain.id())) {
            outputs.put(edge.id(), edge);
            outputUids.put(edge.id(), new String[]{plan.graph().operator(edge.producerOperatorId()).uid(),
                    plan.graph().operator(plan.chains().get(edge.consumerChain()).headId()).uid()});
        }
    }

    String inputPart(int channel) {
        ExecutionPlan.NetworkEdge edge = input.orElseThrow();
        int producer = edge.isPointwise() ? subtaskIndex : channel;
        return new InFlightPart(true, inputProducerUid, inputConsumerUid, InFlightPart.partitioningName(edge.partitioning().name()),
                edge.producerParallelism(), edge.consumerParallelism(), producer).name();
    }

    String outputPart(int edgeId, int target) {
        ExecutionPlan.NetworkEdge edge = outputs.get(edgeId);
        String[] uids = outputUids.get(edgeId);
        return new InFlightPart(false, uids[0], uids[1], InFlightPart.partitioningName(edge.partitioning().name()),
                edge.producerParallelism(), edge.consumerParallelism(), edge.consumerSubtask(subtaskIndex, target)).name();
    }

    /** The input channel a restored input part belongs to. */
    int inputChannel(InFlightPart part) {
        ExecutionPlan.NetworkEdge edge = input.filter(e -> part.producerUid().equals(inputProducerUid)
                        && part.consumerUid().equals(inputConsumerUid)
                        && part.producerParallelism() == e.producerParallelism() && part.consumerParallelism() == e.consumerParallelism())
                .orElseThrow(() -> new IllegalStateException("In-flight input of edge " + part.edge() + " does not fit " + chainName));
        if (edge.isPointwise()) {
            if (part.partnerIndex() != subtaskIndex) {
                throw new IllegalStateException("In-flight input of edge " + part.edge() + " comes from subtask "
                        + part.partnerIndex() + ", not from the one pointwise channel of " + chainName);
            }
            return 0;
        }
        return part.partnerIndex();
    }

    /** The writer and channel a restored output part belongs to. */
    Output output(InFlightPart part) {
        for (Map.Entry<Integer, ExecutionPlan.NetworkEdge> entry : outputs.entrySet()) {
            String[] uids = outputUids.get(entry.getKey());
            ExecutionPlan.NetworkEdge edge = entry.getValue();
            if (uids[0].equals(part.producerUid()) && uids[1].equals(part.consumerUid())
                    && edge.producerParallelism() == part.producerParallelism()
                    && edge.consumerParallelism() == part.consumerParallelism()) {
                for (int target = 0; target < edge.channelsPerProducer(); target++) {
                    if (edge.consumerSubtask(subtaskIndex, target) == part.partnerIndex()) {
                        return new Output(edge.id(), target);
                    }
                }
            }
        }
        throw new IllegalStateException("In-flight output of edge " + part.edge() + " to subtask " + part.partnerIndex()
                + " does not fit " + chainName);
    }
}
