package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.engine.checkpoint.barrier.ExactlyOnceBarrierHandler;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.runtime.channel.ChannelItem;
import dev.snapflow.engine.runtime.channel.EventItem;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.engine.runtime.gate.InputGate;
import dev.snapflow.serialization.event.CancelCheckpointMarker;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.CheckpointOptions;
import dev.snapflow.serialization.event.CheckpointStorageLocationReference;
import dev.snapflow.serialization.event.CheckpointType;
import dev.snapflow.serialization.event.SavepointFormatType;
import dev.snapflow.serialization.event.SavepointType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.snapflow.engine.runtime.subtask.SubtaskFixture.batch;
import static dev.snapflow.engine.runtime.subtask.SubtaskFixture.barrier;
import static org.assertj.core.api.Assertions.assertThat;

/** One subtask's side of checkpoints, driven directly, with recording fakes for the actor's ports. */
class SubtaskCheckpointerTest {

    /** The input loop as the checkpointer sees it, set by each test. */
    private static final class FakeInputLoop implements SubtaskCheckpointer.InputLoop {
        boolean ended;
        boolean finished;
        int restChannel = -1;
        RecordBatch rest;

        @Override
        public boolean inputEnded() {
            return ended;
        }

        @Override
        public boolean operatorsFinished() {
            return finished;
        }

        @Override
        public RecordBatch unprocessedRest(int channel) {
            return channel == restChannel ? rest : null;
        }
    }

    private static final CheckpointOptions UNALIGNED =
            CheckpointOptions.unaligned(CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.DEFAULT);
    private static final CheckpointOptions ALIGNED = CheckpointOptions.forCheckpointWithDefaultLocation();

    private final SubtaskFixture fixture = new SubtaskFixture();
    private final SubtaskFixture.RecordingCheckpointPort port = new SubtaskFixture.RecordingCheckpointPort();
    private final FakeInputLoop input = new FakeInputLoop();
    private final InputGate<ChannelItem> gate = new InputGate<>(2);
    private RecordWriter writer;

    /** The middle subtask: two input channels, one output channel with {@code capacity} slots. */
    private SubtaskCheckpointer middle(int capacity) {
        ExecutionPlan.Chain chain = fixture.middle();
        writer = fixture.writer(chain, capacity);
        return new SubtaskCheckpointer(fixture.operators(chain, writer), List.of(writer), gate,
                new ExactlyOnceBarrierHandler(2, true, System::nanoTime, System::currentTimeMillis),
                new InFlightRecorder(SubtaskFixture.CODEC, fixture.channels(chain)), port, input,
                System::nanoTime, System::currentTimeMillis);
    }

    private SubtaskCheckpointer source() {
        ExecutionPlan.Chain chain = fixture.source();
        writer = fixture.writer(chain, 4);
        return new SubtaskCheckpointer(fixture.operators(chain, writer), List.of(writer), null, null,
                new InFlightRecorder(SubtaskFixture.CODEC, fixture.channels(chain)), port, input,
                System::nanoTime, System::currentTimeMillis);
    }

    @Test
    void an_unaligned_snapshot_holds_each_channels_unprocessed_input_and_waits_for_the_output_channels_report() throws Exception {
        SubtaskCheckpointer checkpointer = middle(4);
        input.restChannel = 0;
        input.rest = batch(1, 2);
        gate.onDelivered(0, List.of(batch(3, 4)));
        gate.onDelivered(1, List.of(batch(5, 6)));

        checkpointer.onDelivered(0, List.of(barrier(7, UNALIGNED, true), batch(9)));
        checkpointer.onDelivered(1, List.of(batch(8)));
        checkpointer.onDelivered(1, List.of(barrier(7, UNALIGNED, true), batch(10)));

        assertThat(fixture.downstream.barriers()).as("the barrier went downstream at once")
                .singleElement().satisfies(barrier -> assertThat(barrier.id()).isEqualTo(7));
        assertThat(port.snapshots).as("not before the output channel said what the barrier overtook").isEmpty();

        checkpointer.onOutputCaptured(writer.edgeId(), 0, 7, SubtaskFixture.CODEC.encode(batch(20, 21)));

        assertThat(port.snapshots).containsOnlyKeys(7L);
        ExecutionPlan.Chain chain = fixture.middle();
        InFlightChannels channels = fixture.channels(chain);
        assertThat(SubtaskFixture.inFlight(port.snapshots.get(7L))).containsOnly(
                org.assertj.core.api.Assertions.entry(channels.inputPart(0), List.<Object>of(1L, 2L, 3L, 4L)),
                org.assertj.core.api.Assertions.entry(channels.inputPart(1), List.<Object>of(5L, 6L, 8L)),
                org.assertj.core.api.Assertions.entry(channels.outputPart(writer.edgeId(), 0), List.<Object>of(20L, 21L)));
        assertThat(gate.queued(0)).as("data behind the barrier is processed, not recorded")
                .anyMatch(item -> item instanceof RecordBatch batch && batch.record(0).equals(9L));
    }

    @Test
    void an_aligned_checkpoint_blocks_the_first_channel_and_snapshots_when_the_second_delivers_its_barrier() throws Exception {
        SubtaskCheckpointer checkpointer = middle(4);

        checkpointer.onBarrier(0, new CheckpointBarrier(3, System.currentTimeMillis(), ALIGNED));
        assertThat(gate.isBlocked(0)).isTrue();
        assertThat(port.snapshots).isEmpty();

        checkpointer.onBarrier(1, new CheckpointBarrier(3, System.currentTimeMillis(), ALIGNED));

        assertThat(gate.isBlocked(0)).isFalse();
        assertThat(port.snapshots).containsOnlyKeys(3L);
        assertThat(SubtaskFixture.inFlight(port.snapshots.get(3L))).isEmpty();
        assertThat(fixture.downstream.barriers()).extracting(CheckpointBarrier::id).containsExactly(3L);
    }

    @Test
    void a_newer_unaligned_checkpoint_subsumes_the_one_still_recording() {
        SubtaskCheckpointer checkpointer = middle(4);
        checkpointer.onDelivered(0, List.of(barrier(1, UNALIGNED, true)));

        checkpointer.onDelivered(0, List.of(barrier(2, UNALIGNED, true)));

        assertThat(port.declined).containsEntry(1L, CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED);
        checkpointer.onDelivered(1, List.of(barrier(2, UNALIGNED, true)));
        checkpointer.onOutputCaptured(writer.edgeId(), 0, 1, new byte[0]);
        checkpointer.onOutputCaptured(writer.edgeId(), 0, 2, new byte[0]);
        assertThat(port.snapshots).containsOnlyKeys(2L);
    }

    @Test
    void an_aligned_checkpoint_that_may_turn_unaligned_records_the_output_its_timed_out_barrier_overtakes() throws Exception {
        SubtaskCheckpointer checkpointer = middle(1);
        CheckpointOptions timeoutable = CheckpointOptions.alignedWithTimeout(CheckpointType.CHECKPOINT,
                CheckpointStorageLocationReference.DEFAULT, 60_000);
        // The one slot of the output channel is taken: what follows waits in the writer.
        writer.collect(1L);
        writer.collect(2L);
        writer.collect(3L);
        writer.collect(4L);

        checkpointer.onDelivered(0, List.of(barrier(5, timeoutable, false)));
        assertThat(port.timeouts).as("announced: its timeout runs from its arrival").hasSize(1);
        checkpointer.onBarrier(0, new CheckpointBarrier(5, System.currentTimeMillis(), timeoutable));
        checkpointer.onBarrier(1, new CheckpointBarrier(5, System.currentTimeMillis(), timeoutable));
        assertThat(fixture.downstream.barriers()).as("parked behind the batch [3, 4]").isEmpty();
        assertThat(port.snapshots).isEmpty();

        checkpointer.onCheckpointTimeout(5);

        assertThat(fixture.downstream.barriers()).singleElement()
                .satisfies(barrier -> assertThat(barrier.options().isUnaligned()).isTrue());
        checkpointer.onOutputCaptured(writer.edgeId(), 0, 5, new byte[0]);
        assertThat(SubtaskFixture.inFlight(port.snapshots.get(5L)))
                .containsOnly(org.assertj.core.api.Assertions.entry(fixture.channels(fixture.middle()).outputPart(writer.edgeId(), 0),
                        List.<Object>of(3L, 4L)));
    }

    @Test
    void a_source_that_took_part_in_a_savepoint_that_stops_the_job_waits_until_it_completes() {
        SubtaskCheckpointer checkpointer = source();
        CheckpointOptions stop = CheckpointOptions.aligned(SavepointType.suspend(SavepointFormatType.CANONICAL),
                CheckpointStorageLocationReference.DEFAULT);

        checkpointer.triggerCheckpoint(new CheckpointBarrier(4, System.currentTimeMillis(), stop));

        assertThat(port.snapshots).containsOnlyKeys(4L);
        assertThat(checkpointer.isSuspendedForSavepoint()).isTrue();
        assertThat(checkpointer.notifyCheckpointComplete(3)).isFalse();
        assertThat(checkpointer.isSuspendedForSavepoint()).isTrue();
        assertThat(checkpointer.notifyCheckpointComplete(4)).as("its output ends now").isTrue();
        assertThat(checkpointer.isSuspendedForSavepoint()).isFalse();
    }

    @Test
    void a_source_whose_stopping_savepoint_failed_reads_on() {
        SubtaskCheckpointer checkpointer = source();
        CheckpointOptions stop = CheckpointOptions.aligned(SavepointType.terminate(SavepointFormatType.CANONICAL),
                CheckpointStorageLocationReference.DEFAULT);
        checkpointer.triggerCheckpoint(new CheckpointBarrier(4, System.currentTimeMillis(), stop));

        checkpointer.notifyCheckpointAborted(4);

        assertThat(checkpointer.isSuspendedForSavepoint()).isFalse();
    }

    @Test
    void rule_B11_a_source_told_of_an_abort_before_its_trigger_skips_the_checkpoint_and_tells_downstream() {
        SubtaskCheckpointer checkpointer = source();

        checkpointer.notifyCheckpointAborted(6);
        checkpointer.triggerCheckpoint(new CheckpointBarrier(6, System.currentTimeMillis(), ALIGNED));

        assertThat(port.snapshots).isEmpty();
        assertThat(fixture.downstream.pushed).singleElement().satisfies(item ->
                assertThat(((EventItem) item).event()).isEqualTo(new CancelCheckpointMarker(6)));
    }

    @Test
    void a_finished_subtask_is_snapshotted_as_finished_and_sends_no_barrier() throws Exception {
        SubtaskCheckpointer checkpointer = source();
        input.ended = true;
        input.finished = true;

        checkpointer.triggerCheckpoint(new CheckpointBarrier(2, System.currentTimeMillis(), ALIGNED));

        assertThat(port.snapshots.get(2L).call().operators()).anyMatch(part -> part.endsWith(dev.snapflow.engine.state.SubtaskState.FINISHED_SUFFIX));
        assertThat(fixture.downstream.pushed).isEmpty();
    }
}
