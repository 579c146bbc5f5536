package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.FilterFunction;
import dev.snapflow.engine.api.FlatMapFunction;
import dev.snapflow.engine.api.KeySelector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.MapFunction;
import dev.snapflow.engine.api.ProcessFunction;
import dev.snapflow.engine.api.RuntimeContext;
import dev.snapflow.engine.api.SinkWriter;
import dev.snapflow.engine.api.SourceReader;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.OperatorNode;
import dev.snapflow.engine.graph.OperatorSpec;
import dev.snapflow.engine.state.SubtaskState;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * The operators of one subtask of a chain, wired together: each operator's output goes to its
 * chained successors and to the record writers of its network edges. For a source chain the
 * entry point is the source's output; otherwise it is the head operator. Actor-confined.
 */
final class OperatorChain {

    private final String headName;
    /** The head's uid: a source's position is stored under it. */
    private final String sourceUid;
    private final Collector<Object> entry;
    private final Optional<SourceReader<Object>> source;
    /** Every non-source operator, in topological order (upstream first). */
    private final List<ChainedOperator> operators;

    private OperatorChain(String headName, String sourceUid, Collector<Object> entry, Optional<SourceReader<Object>> source,
                          List<ChainedOperator> operators) {
        this.headName = headName;
        this.sourceUid = sourceUid;
        this.entry = entry;
        this.source = source;
        this.operators = operators;
    }

    /**
     * Creates the operators of {@code chain}'s subtask {@code subtaskIndex}: user functions are
     * made or shared as the API promises, sources and sinks are opened for their share.
     *
     * @param writerForEdge the record writer of a network edge, by edge id
     * @param keyedState               how keyed operators keep and snapshot their state
     * @param sinkFlowControl          makes how each sink writer of the chain holds back the subtask when full
     * @throws UserFunctionException if a user factory, source or sink fails to create
     */
    @SuppressWarnings("unchecked")
    static OperatorChain create(ExecutionPlan plan, ExecutionPlan.Chain chain, int subtaskIndex,
                                IntFunction<RecordWriter> writerForEdge, KeyedStateOptions keyedState,
                                java.util.function.Supplier<SinkWriter.FlowControl> sinkFlowControl) {
        ChainedOperator[] byId = new ChainedOperator[plan.graph().operators().size()];
        List<ChainedOperator> operators = new ArrayList<>();
        Optional<SourceReader<Object>> source = Optional.empty();
        for (int id : chain.operatorIds()) {
            OperatorNode node = plan.graph().operator(id);
            RuntimeContext context = new RuntimeContext(node.name(), node.uid(), subtaskIndex, node.parallelism(), node.maxParallelism());
            KeySelector<Object, Object> keySelector = (KeySelector<Object, Object>) node.input()
                    .flatMap(edge -> edge.keySelector()).orElse(null);
            try {
                if (node.spec() instanceof OperatorSpec.SourceSpec spec) {
                    source = Optional.of((SourceReader<Object>) spec.source().createReader(subtaskIndex, node.parallelism()));
                } else {
                    ChainedOperator operator = operator(node.spec(), context, keySelector, keyedState, sinkFlowControl);
                    byId[id] = operator;
                    operators.add(operator);
                }
            } catch (UserFunctionException e) {
                throw e;
            } catch (Exception e) {
                throw new UserFunctionException(node.name(), e);
            }
        }
        Collector<Object> sourceOutput = null;
        for (int id : chain.operatorIds()) {
            List<Collector<Object>> targets = new ArrayList<>();
            for (OperatorNode downstream : plan.chainedOutputsOf(id)) {
                targets.add(byId[downstream.id()]);
            }
            for (ExecutionPlan.NetworkEdge edge : plan.outputsOfOperator(id)) {
                targets.add(writerForEdge.apply(edge.id()));
            }
            Collector<Object> output = fanOut(targets);
            if (byId[id] != null) {
                byId[id].setOutput(output);
            } else {
                sourceOutput = output;
            }
        }
        Collector<Object> entry = source.isPresent() ? sourceOutput : byId[chain.headId()];
        OperatorNode head = plan.graph().operator(chain.headId());
        return new OperatorChain(head.name(), head.uid(), entry, source, List.copyOf(operators));
    }

    @SuppressWarnings("unchecked")
    private static ChainedOperator operator(OperatorSpec spec, RuntimeContext context, KeySelector<Object, Object> keySelector,
                                            KeyedStateOptions keyedState,
                                            java.util.function.Supplier<SinkWriter.FlowControl> sinkFlowControl)
            throws Exception {
        if (spec instanceof OperatorSpec.MapSpec map) {
            return new ChainedOperator.Map(context, (MapFunction<Object, Object>) map.function());
        }
        if (spec instanceof OperatorSpec.FlatMapSpec flatMap) {
            return new ChainedOperator.FlatMap(context, (FlatMapFunction<Object, Object>) flatMap.function());
        }
        if (spec instanceof OperatorSpec.FilterSpec filter) {
            return new ChainedOperator.Filter(context, (FilterFunction<Object>) filter.function());
        }
        if (spec instanceof OperatorSpec.ProcessSpec process) {
            ProcessFunction<Object, Object> function = (ProcessFunction<Object, Object>) process.functionFactory().get();
            ChainedOperator operator = new ChainedOperator.Process(context, function, keySelector, keyedState);
            operator.setUserObject(function);
            return operator;
        }
        if (spec instanceof OperatorSpec.KeyedProcessSpec keyed) {
            if (keySelector == null) {
                throw new IllegalStateException("A keyed process function needs a keyed input");
            }
            KeyedProcessFunction<Object, Object, Object> function =
                    (KeyedProcessFunction<Object, Object, Object>) keyed.functionFactory().get();
            ChainedOperator operator = new ChainedOperator.Process(context, ChainedOperator.Process.keyed(function), keySelector,
                    keyedState);
            operator.setUserObject(function);
            return operator;
        }
        if (spec instanceof OperatorSpec.SinkSpec sink) {
            return new ChainedOperator.Sink(context, (SinkWriter<Object>) sink.sink().createWriter(context),
                    sinkFlowControl.get());
        }
        throw new IllegalArgumentException("Not a chained operator: " + spec);
    }

    private static Collector<Object> fanOut(List<Collector<Object>> targets) {
        if (targets.isEmpty()) {
            return record -> {
            };
        }
        if (targets.size() == 1) {
            return targets.get(0);
        }
        List<Collector<Object>> fixed = List.copyOf(targets);
        return record -> {
            for (int i = 0; i < fixed.size(); i++) {
                fixed.get(i).collect(record);
            }
        };
    }

    String headName() {
        return headName;
    }

    /** Where records entering the chain go: the source's output or the head operator. */
    Collector<Object> entry() {
        return entry;
    }

    Optional<SourceReader<Object>> source() {
        return source;
    }

    /** Takes in a restored state: the source seeks to its position, operators restore their parts. */
    void restore(dev.snapflow.engine.state.RestoredState state) {
        source.ifPresent(reader -> state.single(sourceUid).ifPresent(position -> {
            try {
                reader.seek(java.nio.ByteBuffer.wrap(position).getLong());
            } catch (Exception e) {
                throw new UserFunctionException(headName, e);
            }
        }));
        for (ChainedOperator operator : operators) {
            operator.restore(state);
        }
    }

    /** Lets each operator set up its operator state (after any restore), then opens it. */
    void open(boolean restored) {
        for (ChainedOperator operator : operators) {
            operator.initializeState(restored);
            operator.call(operator::open);
        }
    }

    /** True while a transactional sink of the chain holds output that only a coming checkpoint will commit. */
    boolean hasUncommittedOutput() {
        for (ChainedOperator operator : operators) {
            if (operator.hasUncommittedOutput()) {
                return true;
            }
        }
        return false;
    }

    boolean hasSinks() {
        return operators.stream().anyMatch(ChainedOperator::isSink);
    }

    /** Lets the chain's sink writers hand on what they buffer. */
    void flushSinks() {
        for (ChainedOperator operator : operators) {
            if (operator instanceof ChainedOperator.Sink sink) {
                sink.flush();
            }
        }
    }

    /** Lets every operator, upstream first, emit its final records. */
    void finish() {
        for (ChainedOperator operator : operators) {
            operator.call(operator::finish);
        }
    }

    /** Closes sources and operators; the first failure is thrown after all were closed. */
    void close() {
        UserFunctionException failure = null;
        if (source.isPresent()) {
            try {
                source.get().close();
            } catch (Exception e) {
                failure = new UserFunctionException(headName, e);
            }
        }
        for (ChainedOperator operator : operators) {
            try {
                operator.call(operator::close);
            } catch (UserFunctionException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * A subtask whose operators all carry {@link SubtaskState#FINISHED_SUFFIX} is deployed as
     * finished on restore, as Flink does, so that nothing it emitted before, in {@code finish}
     * above all, is emitted again.
     */
    /** The uids of the chain's operators, the source's first. */
    private List<String> uids() {
        List<String> uids = new ArrayList<>();
        source.ifPresent(reader -> uids.add(sourceUid));
        operators.forEach(operator -> uids.add(operator.uid()));
        return uids;
    }

    /** True if {@code state} says every operator of this chain had finished (see {@link SubtaskState#FINISHED_SUFFIX}). */
    boolean finishedIn(dev.snapflow.engine.state.RestoredState state) {
        return uids().stream().allMatch(uid -> !state.snapshots(uid + SubtaskState.FINISHED_SUFFIX).isEmpty());
    }

    /**
     * The chain's state for a checkpoint, each part to be completed by calling it (keyed state may
     * still need serializing; everything else is ready): the source's position (8 bytes, big-endian) under the
     * source's uid, each checkpointed function's snapshot under its operator's uid, and each
     * operator's keyed state under its uid plus {@value SubtaskState#KEYED_SUFFIX}, its operator list
     * state under its uid plus {@value SubtaskState#OPERATOR_SUFFIX}, and when {@code finished}, the
     * marker {@value SubtaskState#FINISHED_SUFFIX} of every operator. A snapshot not
     * {@code intoCheckpointStorage} (a savepoint's) is self-contained.
     */
    java.util.Map<String, java.util.concurrent.Callable<byte[]>> snapshot(long checkpointId, boolean finished,
                                                                          boolean intoCheckpointStorage) {
        java.util.Map<String, java.util.concurrent.Callable<byte[]>> states = new java.util.TreeMap<>();
        flushSinks();
        if (finished) {
            byte[] none = new byte[0];
            uids().forEach(uid -> states.put(uid + SubtaskState.FINISHED_SUFFIX, () -> none));
        }
        source.ifPresent(reader -> {
            byte[] position = java.nio.ByteBuffer.allocate(Long.BYTES).putLong(reader.position()).array();
            states.put(sourceUid, () -> position);
        });
        for (ChainedOperator operator : operators) {
            operator.snapshotState(checkpointId).ifPresent(bytes -> states.put(operator.uid(), () -> bytes));
            operator.snapshotKeyedState(checkpointId, intoCheckpointStorage).ifPresent(later -> states.put(operator.uid() + SubtaskState.KEYED_SUFFIX, later));
            operator.snapshotOperatorState(checkpointId).ifPresent(bytes -> states.put(operator.uid() + SubtaskState.OPERATOR_SUFFIX, () -> bytes));
        }
        return states;
    }

    void notifyCheckpointComplete(long checkpointId) {
        for (ChainedOperator operator : operators) {
            operator.notifyCheckpointComplete(checkpointId);
        }
    }

    void notifyCheckpointAborted(long checkpointId) {
        for (ChainedOperator operator : operators) {
            operator.notifyCheckpointAborted(checkpointId);
        }
    }

    /** Each sink of this chain after the end of input: how many records it took and what it collected. */
    List<SubtaskProtocol.SinkResult> sinkResults() {
        List<SubtaskProtocol.SinkResult> outcomes = new ArrayList<>();
        for (ChainedOperator operator : operators) {
            if (operator instanceof ChainedOperator.Sink sink) {
                outcomes.add(new SubtaskProtocol.SinkResult(sink.name(), sink.records, sink.collected()));
            }
        }
        return outcomes;
    }
}
