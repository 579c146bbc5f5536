package dev.snapflow.engine;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.storage.CheckpointStorage;
import dev.snapflow.engine.storage.InMemoryCheckpointStorage;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.JobGraph;
import dev.snapflow.engine.job.JobMasterActor;
import dev.snapflow.engine.job.JobOutcome;
import dev.snapflow.engine.job.MetricsRegistry;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Runs jobs in your actor system. Each job gets its own guardian actor (under {@code /system}),
 * so several jobs run side by side and a job's actors stop with the system.
 *
 * <pre>{@code
 * JobHandle job = Snapflow.submit(system, graph);
 * JobResult result = job.result().toCompletableFuture().join();
 * }</pre>
 */
public final class Snapflow {

    private Snapflow() {
    }

    /** Submits {@code job} with the settings in the system's configuration ({@code snapflow.runtime}). */
    public static JobHandle submit(ActorSystem<?> system, JobGraph job) {
        return submit(system, job, RuntimeSettings.create(system));
    }

    /** Submits {@code job} with the given runtime settings and the configured checkpoint settings. */
    public static JobHandle submit(ActorSystem<?> system, JobGraph job, RuntimeSettings settings) {
        return submit(system, job, settings, CheckpointSettings.create(system));
    }

    /**
     * Submits {@code job} with the given settings. Checkpoints are kept in memory (they last as
     * long as the job's actor system).
     */
    public static JobHandle submit(ActorSystem<?> system, JobGraph job, RuntimeSettings settings,
                                   CheckpointSettings checkpointSettings) {
        return submit(system, job, settings, checkpointSettings, new InMemoryCheckpointStorage());
    }

    /** Submits {@code job} keeping its checkpoints in {@code storage}. */
    static JobHandle submit(ActorSystem<?> system, JobGraph job, RuntimeSettings settings,
                            CheckpointSettings checkpointSettings, CheckpointStorage storage) {
        ExecutionPlan plan = ExecutionPlan.of(job);
        CompletableFuture<JobOutcome> outcome = new CompletableFuture<>();
        CompletableFuture<Done> terminated = new CompletableFuture<>();
        MetricsRegistry metrics = new MetricsRegistry();
        Behavior<JobMasterActor.Command> master = JobMasterActor.create(plan, settings, checkpointSettings,
                storage, outcome, terminated, metrics);
        ActorRef<JobMasterActor.Command> ref = system.systemActorOf(
                master, "snapflow-job-" + actorName(job.name()) + "-" + UUID.randomUUID(), Props.empty());
        return new JobHandle(system, job.name(), ref, outcome, terminated, metrics);
    }

    private static String actorName(String jobName) {
        return jobName.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
