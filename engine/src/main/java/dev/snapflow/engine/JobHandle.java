package dev.snapflow.engine;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.japi.function.Function;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointCoordinatorActor;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.job.JobMasterActor;
import dev.snapflow.engine.job.JobOutcome;
import dev.snapflow.engine.job.MetricsRegistry;

import dev.snapflow.serialization.event.SavepointType;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A running job: its result, cancel, and live metrics. Thread-safe.
 */
public final class JobHandle {

    private final ActorSystem<?> system;
    private final String jobId;
    private final String jobName;
    private final ActorRef<JobMasterActor.Command> jobMaster;
    private final CompletableFuture<JobResult> result;
    private final CompletableFuture<Done> terminated;
    private final MetricsRegistry metrics;

    JobHandle(ActorSystem<?> system, String jobId, String jobName, ActorRef<JobMasterActor.Command> jobMaster,
              CompletableFuture<JobOutcome> outcome, CompletableFuture<Done> terminated, MetricsRegistry metrics) {
        this.system = system;
        this.jobId = jobId;
        this.jobName = jobName;
        this.jobMaster = jobMaster;
        this.terminated = terminated;
        this.metrics = metrics;
        this.result = outcome.thenCompose(this::toResult);
    }

    private CompletableFuture<JobResult> toResult(JobOutcome outcome) {
        if (outcome instanceof JobOutcome.Finished finished) {
            java.util.Map<String, JobResult.SinkSummary> sinks = new java.util.LinkedHashMap<>();
            finished.sinks().forEach((name, total) ->
                    sinks.put(name, new JobResult.SinkSummary(name, total.records(), total.collected())));
            return CompletableFuture.completedFuture(new JobResult(jobName, finished.duration(), sinks));
        }
        if (outcome instanceof JobOutcome.Failed failed) {
            return CompletableFuture.failedFuture(new JobExecutionException(jobName, failed.operatorName(),
                    failed.subtaskIndex(), failed.parallelism(), failed.cause()));
        }
        return CompletableFuture.failedFuture(new CancellationException("Job '" + jobName + "' was cancelled"));
    }

    public String jobName() {
        return jobName;
    }

    /** This submission's id: the job's name plus a random part; its checkpoint directory is named after it. */
    public String jobId() {
        return jobId;
    }

    /**
     * Completes with the job's result when every subtask finished; fails with a
     * {@link JobExecutionException} naming the operator whose function threw (the user's exception
     * is the cause), or with a {@link java.util.concurrent.CancellationException} after {@link #cancel()}.
     */
    public CompletionStage<JobResult> result() {
        return result;
    }

    /** Stops every actor of the job; completes once they have all terminated. */
    public CompletionStage<Done> cancel() {
        jobMaster.tell(JobMasterActor.Cancel.INSTANCE);
        return terminated;
    }

    /** Completes once every actor of the job has terminated, however the job ended. */
    public CompletionStage<Done> terminated() {
        return terminated;
    }

    /** The job's figures now. */
    public JobMetrics metrics() {
        dev.snapflow.engine.job.DeploymentProtocol.PartFigures figures = metrics.figures(jobId);
        return new JobMetrics(
                figures.subtasks().stream().map(s -> new JobMetrics.Subtask(s.name(), s.recordsIn(), s.recordsOut(),
                        s.backpressuredMillis())).toList(),
                figures.channels().stream().map(c -> new JobMetrics.Channel(c.name(), c.capacity(), c.queuedBuffers(),
                        c.maxQueuedBuffers(), c.deliveredBuffers())).toList());
    }

    /**
     * The statistics of the checkpoints that completed or failed so far, in the order they ended:
     * the most recent {@value dev.snapflow.engine.job.MetricsRegistry#CHECKPOINT_HISTORY}.
     */
    public List<CheckpointStats> checkpointStats() {
        return metrics.checkpoints();
    }

    /**
     * Every attempt of the job that failed, oldest first, with its cause and whether the restart
     * strategy started another attempt; empty while the job never failed.
     */
    public List<JobAttemptFailure> failedAttempts() {
        return metrics.failures();
    }

    /**
     * Writes the checkpoint history so far as a self-contained HTML page (see {@link CheckpointReport}):
     * a timeline, a table, every subtask's part of each checkpoint, and the failed attempts.
     *
     * @return {@code file}
     */
    public Path writeCheckpointReport(Path file) throws IOException {
        return new CheckpointReport(jobName, jobId, checkpointStats(), failedAttempts(), Instant.now()).writeTo(file);
    }

    /**
     * Takes a checkpoint now (it does not wait for min-pause, but does for max-concurrent).
     * Completes with its statistics once it completed; fails if it could not start or failed.
     */
    public CompletionStage<CheckpointStats> triggerCheckpoint(Duration timeout) {
        CompletionStage<CheckpointCoordinatorActor.CheckpointResult> reply = askWhileRunning("Checkpoint",
                JobMasterActor.TriggerCheckpoint::new, timeout);
        return reply.thenCompose(result -> result instanceof CheckpointCoordinatorActor.CheckpointSucceeded succeeded
                ? CompletableFuture.completedFuture(succeeded.stats())
                : CompletableFuture.failedFuture(new IllegalStateException("Checkpoint of job '" + jobName + "' not taken: "
                + ((CheckpointCoordinatorActor.CheckpointNotTaken) result).reason())));
    }

    /**
     * Takes a savepoint now, into a new directory {@code savepoint-<random>} under
     * {@code targetDirectory}, and completes with that directory. A savepoint is self-contained
     * (every file it needs is in its directory; move or copy it as a whole) and belongs to the
     * user: the job never deletes it and never restarts from it. It starts even while checkpoints
     * are in progress, is aligned in exactly-once mode, and the job runs on. Start a new job from
     * it with {@link Snapflow#submitFromCheckpoint}.
     */
    public CompletionStage<Path> triggerSavepoint(Path targetDirectory, Duration timeout) {
        return savepoint(targetDirectory, SavepointType.PostAction.NONE, timeout);
    }

    /**
     * Stop-with-savepoint: takes a savepoint as {@link #triggerSavepoint} does, after which the
     * sources emit nothing more; once it completed, the job ends without finishing its operators
     * ({@code finish} is not called: the job is suspended, to resume from the savepoint) and
     * {@link #result()} completes. Completes with the savepoint's directory. If the savepoint
     * fails, the sources read on and the job keeps running.
     */
    public CompletionStage<Path> stopWithSavepoint(Path targetDirectory, Duration timeout) {
        return savepoint(targetDirectory, SavepointType.PostAction.SUSPEND, timeout);
    }

    private CompletionStage<Path> savepoint(Path targetDirectory, SavepointType.PostAction postAction, Duration timeout) {
        CompletionStage<CheckpointCoordinatorActor.SavepointResult> reply = askWhileRunning("Savepoint",
                replyTo -> new JobMasterActor.TriggerSavepoint(
                        new CheckpointCoordinatorActor.RequestSavepoint(targetDirectory, postAction, replyTo)),
                timeout);
        return reply.thenCompose(result -> result instanceof CheckpointCoordinatorActor.SavepointCompleted completed
                ? CompletableFuture.completedFuture(completed.directory())
                : CompletableFuture.failedFuture(new IllegalStateException("Savepoint of job '" + jobName + "' not taken: "
                + ((CheckpointCoordinatorActor.SavepointFailed) result).reason())));
    }

    /**
     * Asks the job master, or fails at once, saying so, if the job has ended: its actors are gone
     * and an ask would only time out. A job that ends while the ask is on its way fails it the same way.
     */
    private <R> CompletionStage<R> askWhileRunning(String what, Function<ActorRef<R>, JobMasterActor.Command> request,
                                                   Duration timeout) {
        if (result.isDone()) {
            return CompletableFuture.failedFuture(ended(what));
        }
        return AskPattern.ask(jobMaster, request, timeout, system.scheduler())
                .handle((reply, failure) -> {
                    if (failure == null) {
                        return CompletableFuture.completedFuture(reply);
                    }
                    return CompletableFuture.<R>failedFuture(result.isDone() ? ended(what) : failure);
                })
                .thenCompose(future -> future);
    }

    private IllegalStateException ended(String what) {
        String how;
        if (!result.isCompletedExceptionally()) {
            how = "finished";
        } else {
            Throwable failure = result.handle((ok, error) -> error).join();
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            how = cause instanceof CancellationException ? "was cancelled" : "failed (" + cause.getMessage() + ")";
        }
        return new IllegalStateException(what + " of job '" + jobName + "' not taken: the job has already ended: it " + how);
    }

    /** The job's guardian actor, for tests that watch the job's actors. */
    ActorRef<JobMasterActor.Command> jobMaster() {
        return jobMaster;
    }
}
