package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.runtime.channel.ChannelItem;
import dev.snapflow.engine.runtime.channel.EventItem;
import dev.snapflow.engine.runtime.channel.InFlightCodec;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.CheckpointOptions;
import dev.snapflow.serialization.record.ValueCodec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The job {@code numbers (2) -> rebalance -> double (1) -> rebalance -> out (1)} taken apart for
 * unit tests of one subtask's pieces, with recording fakes for everything the actor provides: the
 * middle subtask has two input channels and one output channel, the source subtask none and one.
 */
final class SubtaskFixture {

    /** What a subtask reported about checkpoints. */
    static final class RecordingCheckpointPort implements SubtaskCheckpointer.CheckpointPort {
        /** The snapshots taken, by checkpoint id, with their state still to complete. */
        final Map<Long, Callable<SubtaskState>> snapshots = new LinkedHashMap<>();
        final Map<Long, CheckpointFailureReason> declined = new LinkedHashMap<>();
        final List<long[]> timeouts = new ArrayList<>();

        @Override
        public void snapshotTaken(CheckpointBarrier barrier, Callable<SubtaskState> state, long alignmentNanos,
                                  long startDelayMillis, long syncNanos) {
            snapshots.put(barrier.id(), state);
        }

        @Override
        public void declined(long checkpointId, CheckpointFailureReason reason) {
            declined.put(checkpointId, reason);
        }

        @Override
        public void scheduleTimeout(long checkpointId, long delayMillis) {
            timeouts.add(new long[]{checkpointId, delayMillis});
        }
    }

    /** What record writers pushed into their channels, in order. */
    static final class RecordingChannels implements RecordWriter.ChannelPort {
        final List<ChannelItem> pushed = new ArrayList<>();

        @Override
        public void push(int edgeId, int target, ChannelItem item) {
            pushed.add(item);
        }

        List<CheckpointBarrier> barriers() {
            return pushed.stream().filter(item -> item instanceof EventItem event && event.event() instanceof CheckpointBarrier)
                    .map(item -> (CheckpointBarrier) ((EventItem) item).event()).toList();
        }
    }

    static final InFlightCodec CODEC = new InFlightCodec(ValueCodec.builtInTypesOnly());

    final ExecutionPlan plan;
    final RecordingChannels downstream = new RecordingChannels();
    final OutputPressure pressure = new OutputPressure();

    SubtaskFixture() {
        JobBuilder job = JobBuilder.create("fixture");
        job.source("numbers", Sources.sequence(1, 10)).parallelism(2)
                .map("double", (Long value) -> value * 2).parallelism(1)
                .sink("out", Sinks.discard()).parallelism(1).startNewChain();
        this.plan = ExecutionPlan.of(job.build());
    }

    ExecutionPlan.Chain source() {
        return plan.chainOf(0);
    }

    ExecutionPlan.Chain middle() {
        return plan.chainOf(1);
    }

    /** The chain's writer into its one output edge, with {@code capacity} slots in its channel. */
    RecordWriter writer(ExecutionPlan.Chain chain, int capacity) {
        ExecutionPlan.NetworkEdge output = plan.outputsOf(chain.id()).get(0);
        return new RecordWriter(output.id(), "writer", ChannelSelector.forEdge(output, 0), output.channelsPerProducer(), 2,
                capacity, downstream, pressure);
    }

    /** The chain's operators, opened as for a fresh start. */
    OperatorChain operators(ExecutionPlan.Chain chain, RecordWriter writer) {
        OperatorChain operators = unopenedOperators(chain, writer);
        operators.open(false);
        return operators;
    }

    OperatorChain unopenedOperators(ExecutionPlan.Chain chain, RecordWriter writer) {
        RecordWriter[] byEdge = new RecordWriter[plan.networkEdges().size()];
        byEdge[writer.edgeId()] = writer;
        return OperatorChain.create(plan, chain, 0, edge -> byEdge[edge], new KeyedStateOptions(ValueCodec.builtInTypesOnly(), null, 0),
                () -> new dev.snapflow.engine.api.SinkWriter.FlowControl() {
                    @Override
                    public void pause() {
                        throw new UnsupportedOperationException("The fixture runs no sink that fills up");
                    }

                    @Override
                    public void resume() {
                    }
                });
    }

    InFlightChannels channels(ExecutionPlan.Chain chain) {
        return new InFlightChannels(plan, chain, 0);
    }

    static RecordBatch batch(long... values) {
        Object[] records = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = values[i];
        }
        return new RecordBatch(records, records.length);
    }

    static EventItem barrier(long id, CheckpointOptions options, boolean priority) {
        return new EventItem(new CheckpointBarrier(id, System.currentTimeMillis(), options), priority);
    }

    /** The records of each in-flight part of a completed snapshot, by part name. */
    static Map<String, List<Object>> inFlight(Callable<SubtaskState> snapshot) throws Exception {
        SubtaskState state = snapshot.call();
        Map<String, List<Object>> parts = new LinkedHashMap<>();
        for (String name : state.operators()) {
            if (name.startsWith(SubtaskState.IN_FLIGHT_PREFIX)) {
                parts.put(name, CODEC.decode(state.operatorState(name).orElseThrow(), name));
            }
        }
        return parts;
    }
}
