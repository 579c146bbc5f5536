package dev.snapflow.engine.job;

import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.runtime.channel.ChannelMetrics;
import dev.snapflow.engine.runtime.subtask.SubtaskMetrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The live metrics objects of one job: the job master adds them as it deploys, the job handle
 * reads them at any time from any thread.
 */
public final class MetricsRegistry {

    private final List<SubtaskMetrics> subtasks = new CopyOnWriteArrayList<>();
    private final List<ChannelMetrics> channels = new CopyOnWriteArrayList<>();
    private final List<CheckpointStats> checkpoints = new CopyOnWriteArrayList<>();

    void add(SubtaskMetrics metrics) {
        subtasks.add(metrics);
    }

    void add(ChannelMetrics metrics) {
        channels.add(metrics);
    }

    void add(CheckpointStats stats) {
        checkpoints.add(stats);
    }

    /** Every finished checkpoint so far, in the order they finished. */
    public List<CheckpointStats> checkpoints() {
        return List.copyOf(checkpoints);
    }

    public List<SubtaskMetrics> subtasks() {
        return List.copyOf(subtasks);
    }

    public List<ChannelMetrics> channels() {
        return List.copyOf(channels);
    }
}
