package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.runtime.channel.ChannelItem;
import dev.snapflow.engine.runtime.channel.EventItem;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.serialization.event.CancelCheckpointMarker;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.CheckpointOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.snapflow.engine.runtime.subtask.SubtaskFixture.batch;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rule B11: a checkpoint this subtask heard was aborted before its barrier arrived is not aligned,
 * snapshotted or written; its late barriers count as cancellation markers (Flink's
 * {@code abortedCheckpointIds}), and the subtasks downstream are told with a marker.
 */
class SubtaskRunnerAbortTest {

    private static final CheckpointSettings SETTINGS = CheckpointSettings.create(com.typesafe.config.ConfigFactory.load());

    private final SubtaskFixture fixture = new SubtaskFixture();
    private final SubtaskFixture.RecordingCheckpointPort checkpoints = new SubtaskFixture.RecordingCheckpointPort();
    private final SubtaskFixture.RecordingChannels downstream = fixture.downstream;

    /** The middle subtask: two input channels, one output. */
    private SubtaskRunner middle(CheckpointSettings settings) {
        ExecutionPlan.Chain chain = fixture.middle();
        RecordWriter writer = fixture.writer(chain, 4);
        OperatorChain operators = fixture.unopenedOperators(chain, writer); // the runner opens them
        SubtaskRunner runner = new SubtaskRunner(operators, List.of(writer), new SubtaskRunner.Inputs(2, 2, 0, (channel, credits) -> { }),
                fixture.pressure, new SubtaskMetrics("double"), SubtaskRunner.Clocks.system(), 1024, 1024, settings, checkpoints,
                SubtaskFixture.CODEC, fixture.channels(chain));
        runner.start(Optional.empty());
        return runner;
    }

    private static EventItem barrier(long id, CheckpointOptions options) {
        return SubtaskFixture.barrier(id, options, false);
    }

    private static CheckpointOptions aligned() {
        return CheckpointOptions.forCheckpointWithDefaultLocation();
    }

    private void deliver(SubtaskRunner runner, int channel, ChannelItem... items) {
        runner.onDelivered(channel, List.of(items), 0);
        runner.run();
    }

    @Test
    @DisplayName("B11: the late barriers of an aborted checkpoint are cancellation markers")
    void rule_B11_when_a_checkpoint_was_aborted_before_its_barriers_arrived_then_they_neither_block_nor_snapshot() {
        SubtaskRunner runner = middle(SETTINGS);

        runner.notifyCheckpointAborted(3);
        deliver(runner, 0, barrier(3, aligned()), batch(1));
        deliver(runner, 1, batch(2), barrier(3, aligned()));
        deliver(runner, 0, barrier(4, aligned()));
        deliver(runner, 1, barrier(4, aligned()));

        assertThat(checkpoints.snapshots).as("only the checkpoint that was not aborted is snapshotted").containsOnlyKeys(4L);
        assertThat(downstream.pushed).filteredOn(item -> item instanceof EventItem event
                        && event.event() instanceof CancelCheckpointMarker marker && marker.checkpointId() == 3)
                .as("downstream hears checkpoint 3 is cancelled").hasSize(1);
        assertThat(downstream.pushed).noneMatch(item -> item instanceof EventItem event
                && event.event() instanceof CheckpointBarrier barrier && barrier.id() == 3);
    }

    @Test
    @DisplayName("B11: an abort heard during alignment releases the blocked channels at once")
    void rule_B11_when_an_abort_arrives_while_aligning_then_the_blocked_channels_are_released() {
        SubtaskRunner runner = middle(SETTINGS);
        deliver(runner, 0, barrier(5, aligned()), batch(1));

        runner.notifyCheckpointAborted(5);
        runner.run();
        runner.onFlushTimeout();

        assertThat(downstream.pushed).as("the record behind the barrier on the blocked channel was processed")
                .anyMatch(item -> item instanceof RecordBatch batch && batch.size() == 1 && batch.record(0).equals(2L));
        deliver(runner, 1, barrier(5, aligned()));
        assertThat(checkpoints.snapshots).isEmpty();
    }
}
