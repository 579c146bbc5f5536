package dev.snapflow.engine;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestoreSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.runtime.JobLogContext;
import dev.snapflow.engine.storage.CheckpointStorage;
import dev.snapflow.engine.storage.FileSystemCheckpointStorage;
import dev.snapflow.engine.storage.InMemoryCheckpointStorage;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.JobGraph;
import dev.snapflow.engine.job.JobMasterActor;
import dev.snapflow.engine.job.JobOutcome;
import dev.snapflow.engine.job.MetricsRegistry;
import dev.snapflow.engine.job.RestoredCheckpoint;
import dev.snapflow.engine.storage.SnapshotDirectory;
import dev.snapflow.serialization.record.JacksonCompatibility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
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
     * Submits {@code job} with the given settings. Checkpoints go to the settings' directory, or
     * stay in memory (for as long as the actor system runs) when it has none.
     *
     * @throws UncheckedIOException if the checkpoint directory cannot be created
     */
    public static JobHandle submit(ActorSystem<?> system, JobGraph job, RuntimeSettings settings,
                                   CheckpointSettings checkpointSettings) {
        String jobId = actorName(job.name()) + "-" + UUID.randomUUID();
        return submit(system, job, jobId, settings, checkpointSettings, storageFor(job, jobId, checkpointSettings));
    }

    /** Submits {@code job} keeping its checkpoints in {@code storage}. */
    static JobHandle submit(ActorSystem<?> system, JobGraph job, RuntimeSettings settings,
                            CheckpointSettings checkpointSettings, CheckpointStorage storage) {
        return submit(system, job, actorName(job.name()) + "-" + UUID.randomUUID(), settings, checkpointSettings, storage);
    }

    private static JobHandle submit(ActorSystem<?> system, JobGraph job, String jobId, RuntimeSettings settings,
                                    CheckpointSettings checkpointSettings, CheckpointStorage storage) {
        return submit(system, ExecutionPlan.of(job), jobId, settings, checkpointSettings, storage, Optional.empty());
    }

    /**
     * Starts {@code job} from the savepoint or checkpoint at {@code path}; the same as
     * {@link #submitFromCheckpoint(ActorSystem, JobGraph, RestoreSettings, RuntimeSettings,
     * CheckpointSettings)} with {@link RestoreSettings#from(Path)}.
     */
    public static JobHandle submitFromCheckpoint(ActorSystem<?> system, JobGraph job, Path path,
                                                 RuntimeSettings settings, CheckpointSettings checkpointSettings) {
        return submitFromCheckpoint(system, job, RestoreSettings.from(path), settings, checkpointSettings);
    }

    /**
     * Starts {@code job} from what {@code restore} names: a savepoint's directory (see
     * {@link JobHandle#triggerSavepoint}), one retained checkpoint's {@code chk-<n>} directory, or
     * the checkpoint directory of an earlier run ({@code <directory>/<job-id>}, see
     * {@link JobHandle#jobId()}), whose newest intact checkpoint is taken. Sources continue from
     * their positions and every operator's state is restored, matched by operator uid. An
     * operator may change its parallelism when its state can be redistributed (keyed state and
     * operator lists), not when it holds a source position or a function's own bytes. State of an
     * operator the job no longer has is refused unless {@code restore} allows dropping it. The
     * job's own checkpoints go where {@code checkpointSettings} says, numbered on from the restored
     * one; the restored snapshot itself is only read, never changed or deleted.
     *
     * @throws UncheckedIOException     if there is no intact savepoint or checkpoint there
     * @throws IllegalArgumentException naming the operator, if the snapshot does not fit the job
     */
    public static JobHandle submitFromCheckpoint(ActorSystem<?> system, JobGraph job, RestoreSettings restore,
                                                 RuntimeSettings settings, CheckpointSettings checkpointSettings) {
        ExecutionPlan plan = ExecutionPlan.of(job);
        Path path = restore.path().toAbsolutePath();
        RestoredCheckpoint restored;
        try {
            if (!Files.isDirectory(path)) {
                throw new IOException("there is no such directory");
            }
            if (SnapshotDirectory.isComplete(path)) {
                restored = RestoredCheckpoint.of(new SnapshotDirectory(path).readIntact(), plan, restore.allowNonRestoredState());
            } else {
                restored = RestoredCheckpoint.findLatest(
                        new FileSystemCheckpointStorage(path.getParent(), path.getFileName().toString()), plan,
                        restore.allowNonRestoredState())
                        .orElseThrow(() -> new IOException("it is neither a savepoint or checkpoint (it has no "
                                + SnapshotDirectory.METADATA_FILE + " file) nor a run's checkpoint directory with an intact chk-<n>"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot restore job '" + job.name() + "' from " + path + ": "
                    + e.getMessage(), e);
        }
        String jobId = actorName(job.name()) + "-" + UUID.randomUUID();
        return submit(system, restored.plan(), jobId, settings, checkpointSettings, storageFor(job, jobId, checkpointSettings),
                Optional.of(restored));
    }

    private static JobHandle submit(ActorSystem<?> system, ExecutionPlan plan, String jobId, RuntimeSettings settings,
                                    CheckpointSettings checkpointSettings, CheckpointStorage storage,
                                    Optional<RestoredCheckpoint> restore) {
        JacksonCompatibility.requireRecordSupport();
        JobGraph job = plan.graph();
        CompletableFuture<JobOutcome> outcome = new CompletableFuture<>();
        CompletableFuture<Done> terminated = new CompletableFuture<>();
        MetricsRegistry metrics = new MetricsRegistry();
        Behavior<JobMasterActor.Command> master = JobMasterActor.create(plan, settings, checkpointSettings,
                storage, restore, outcome, terminated, metrics);
        ActorRef<JobMasterActor.Command> ref = system.systemActorOf(
                JobLogContext.job(job.name()).around(JobMasterActor.Command.class, master), "snapflow-job-" + jobId, Props.empty());
        return JobMXBeans.registerIfEnabled(system, new JobHandle(system, jobId, job.name(), ref, outcome, terminated, metrics));
    }

    /** The settings' checkpoint directory for this run, or memory when there is none. */
    private static CheckpointStorage storageFor(JobGraph job, String jobId, CheckpointSettings checkpointSettings) {
        if (checkpointSettings.directory().isEmpty()) {
            return new InMemoryCheckpointStorage();
        }
        try {
            return new FileSystemCheckpointStorage(checkpointSettings.directory().get(), jobId);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the checkpoint directory of job '" + job.name() + "' under "
                    + checkpointSettings.directory().get(), e);
        }
    }

    private static String actorName(String jobName) {
        return jobName.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
