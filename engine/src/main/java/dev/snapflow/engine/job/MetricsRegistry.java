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
    /** The statistics of the most recent checkpoints, oldest first, at most {@link #CHECKPOINT_HISTORY}. */
    private final java.util.ArrayDeque<CheckpointStats> checkpoints = new java.util.ArrayDeque<>();

    /** How many checkpoints' statistics are kept (Flink keeps 10 by default; more serves benchmarks). */
    public static final int CHECKPOINT_HISTORY = 1000;

    private final List<dev.snapflow.engine.JobAttemptFailure> failures = new CopyOnWriteArrayList<>();

    /** Told of every finished checkpoint and failed attempt as it is added, for whoever follows the job from elsewhere. */
    public interface Listener {
        void onCheckpoint(CheckpointStats stats);

        void onFailure(dev.snapflow.engine.JobAttemptFailure failure);
    }

    private volatile Listener listener;

    /** Sets the one listener; it is called on the thread that adds, and must not block. */
    public void listen(Listener listener) {
        this.listener = listener;
    }

    /** The latest figures of the parts of the job that run elsewhere (other nodes), by part. */
    private final java.util.Map<String, DeploymentProtocol.PartFigures> remoteParts = new java.util.concurrent.ConcurrentHashMap<>();

    /** A new attempt is about to deploy: the previous attempt's subtasks and channels are gone. */
    void startAttempt() {
        subtasks.clear();
        channels.clear();
        remoteParts.clear();
    }

    /** The latest figures of a part of the job that runs elsewhere; replaces that part's earlier ones. */
    public void putRemote(String part, DeploymentProtocol.PartFigures figures) {
        remoteParts.put(part, figures);
    }

    /** Forgets the figures of every part that runs elsewhere. */
    public void clearRemote() {
        remoteParts.clear();
    }

    /** The latest figures of the parts that run elsewhere, by part name in order. */
    public List<DeploymentProtocol.PartFigures> remoteParts() {
        return new java.util.TreeMap<>(remoteParts).values().stream().toList();
    }

    /** Every figure: the live ones of this node, then the latest of the parts elsewhere. */
    public DeploymentProtocol.PartFigures figures(String node) {
        List<DeploymentProtocol.SubtaskFigures> subtaskFigures = new java.util.ArrayList<>();
        List<DeploymentProtocol.ChannelFigures> channelFigures = new java.util.ArrayList<>();
        for (SubtaskMetrics s : subtasks) {
            subtaskFigures.add(new DeploymentProtocol.SubtaskFigures(s.name(), s.recordsIn(), s.recordsOut(),
                    java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(s.backpressuredNanos())));
        }
        for (ChannelMetrics c : channels) {
            channelFigures.add(new DeploymentProtocol.ChannelFigures(c.name(), c.capacity(), c.queuedBuffers(),
                    c.maxQueuedBuffers(), c.deliveredBuffers()));
        }
        for (DeploymentProtocol.PartFigures part : remoteParts()) {
            subtaskFigures.addAll(part.subtasks());
            channelFigures.addAll(part.channels());
        }
        return new DeploymentProtocol.PartFigures(node, subtaskFigures, channelFigures);
    }

    public void add(dev.snapflow.engine.JobAttemptFailure failure) {
        failures.add(failure);
        Listener current = listener;
        if (current != null) {
            current.onFailure(failure);
        }
    }

    /** Every failed attempt of the job, oldest first. */
    public List<dev.snapflow.engine.JobAttemptFailure> failures() {
        return List.copyOf(failures);
    }

    public void add(SubtaskMetrics metrics) {
        subtasks.add(metrics);
    }

    public void add(ChannelMetrics metrics) {
        channels.add(metrics);
    }

    public void add(CheckpointStats stats) {
        synchronized (checkpoints) {
            checkpoints.addLast(stats);
            if (checkpoints.size() > CHECKPOINT_HISTORY) {
                checkpoints.pollFirst();
            }
        }
        Listener current = listener;
        if (current != null) {
            current.onCheckpoint(stats);
        }
    }

    /** The most recent finished checkpoints, at most {@value #CHECKPOINT_HISTORY}, in the order they finished. */
    public List<CheckpointStats> checkpoints() {
        synchronized (checkpoints) {
            return List.copyOf(checkpoints);
        }
    }

    public List<SubtaskMetrics> subtasks() {
        return List.copyOf(subtasks);
    }

    public List<ChannelMetrics> channels() {
        return List.copyOf(channels);
    }
}
