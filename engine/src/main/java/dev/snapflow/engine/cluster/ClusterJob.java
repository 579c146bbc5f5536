package dev.snapflow.engine.cluster;

import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.graph.JobGraph;

import java.util.Objects;
import java.util.Optional;

/**
 * A job as a {@link JobDefinition} builds it: the graph and, where the job wants other than the
 * node's configuration ({@code snapflow.runtime}, {@code snapflow.checkpoint}), its settings. Since
 * every node builds it from the same parameters, every node runs it with the same settings.
 *
 * @param graph              the job
 * @param runtimeSettings    empty for the node's configuration
 * @param checkpointSettings empty for the node's configuration; either way it needs a directory every node sees
 */
public record ClusterJob(JobGraph graph, Optional<RuntimeSettings> runtimeSettings,
                         Optional<CheckpointSettings> checkpointSettings, Optional<java.time.Duration> slotWaitTimeout) {
    public ClusterJob {
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(runtimeSettings, "runtimeSettings");
        Objects.requireNonNull(checkpointSettings, "checkpointSettings");
        Objects.requireNonNull(slotWaitTimeout, "slotWaitTimeout");
        if (slotWaitTimeout.isPresent() && slotWaitTimeout.get().isNegative()) {
            throw new IllegalArgumentException("slotWaitTimeout must not be negative, was " + slotWaitTimeout.get());
        }
    }

    public static ClusterJob of(JobGraph graph) {
        return new ClusterJob(graph, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * Fail the job (without a restart) when an attempt has waited this long for enough free task
     * slots; {@link java.time.Duration#ZERO} refuses it as soon as the cluster offers too few.
     * Without it, an attempt waits as long as it takes, logging what it waits for (as Flink's
     * {@code slot.request.timeout}, but unbounded by default).
     */
    public ClusterJob withSlotWaitTimeout(java.time.Duration timeout) {
        return new ClusterJob(graph, runtimeSettings, checkpointSettings, Optional.of(timeout));
    }

    /** The job's runtime settings, or {@code system}'s configured ones. */
    public RuntimeSettings runtimeSettingsOn(akka.actor.typed.ActorSystem<?> system) {
        return runtimeSettings.orElseGet(() -> RuntimeSettings.create(system));
    }

    /**
     * The job's checkpoint settings, or {@code system}'s configured ones.
     *
     * @throws IllegalArgumentException if they name no checkpoint directory: a job on a cluster restores from one
     */
    public CheckpointSettings checkpointSettingsOn(akka.actor.typed.ActorSystem<?> system) {
        CheckpointSettings settings = checkpointSettings.orElseGet(() -> CheckpointSettings.create(system));
        if (settings.directory().isEmpty()) {
            throw new IllegalArgumentException("Job '" + graph.name() + "' runs on a cluster, so it needs a checkpoint"
                    + " directory that every node sees (snapflow.checkpoint.directory, or the job's checkpoint settings):"
                    + " its subtasks on every node write there, and it restarts from there when a node is lost");
        }
        return settings;
    }

    /**
     * The job's directory in the checkpoint directory as this node sees it, which the submitting
     * node created: missing here means that this node does not see the same directory.
     *
     * @throws IllegalStateException saying so
     */
    static java.nio.file.Path sharedJobDirectory(CheckpointSettings settings, String jobId, String node) {
        java.nio.file.Path base = settings.directory().orElseThrow();
        java.nio.file.Path job = base.resolve(jobId);
        if (!java.nio.file.Files.isDirectory(job)) {
            throw new IllegalStateException("The checkpoint directory " + base + " on node " + node + " has no directory "
                    + jobId + ", which the node that submitted the job created there: every node must see the same"
                    + " checkpoint directory (a shared file system mounted at the same path)");
        }
        return job;
    }

    public ClusterJob withRuntimeSettings(RuntimeSettings settings) {
        return new ClusterJob(graph, Optional.of(settings), checkpointSettings, slotWaitTimeout);
    }

    public ClusterJob withCheckpointSettings(CheckpointSettings settings) {
        return new ClusterJob(graph, runtimeSettings, Optional.of(settings), slotWaitTimeout);
    }
}
