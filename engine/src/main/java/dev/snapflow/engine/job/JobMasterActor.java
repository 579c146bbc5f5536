package dev.snapflow.engine.job;

import akka.actor.NoSerializationVerificationNeeded;
import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import dev.snapflow.engine.JobAttemptFailure;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointCoordinatorActor;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.runtime.JobLogContext;
import dev.snapflow.engine.storage.CheckpointStorage;
import dev.snapflow.engine.storage.SnapshotDirectory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The guardian of one job. It runs the job as a series of attempts, one at a time: when an
 * attempt fails, the restart strategy decides whether the job fails or, after a delay, a new
 * attempt starts from the latest completed checkpoint. A new attempt starts only after every
 * actor of the failed one has stopped, so nothing of it can emit into the new one. The job's
 * outcome completes when an attempt finishes, when the strategy gives up, or on cancel; then the
 * master stops, which stops every actor of the job.
 */
public final class JobMasterActor extends AbstractBehavior<JobMasterActor.Command> {

    /**
     * What the master accepts: from the job's handle and its attempts, all on the master's node,
     * so local-only.
     */
    public sealed interface Command extends NoSerializationVerificationNeeded permits Cancel, ListJobActors, TriggerCheckpoint, TriggerSavepoint, AttemptEnded,
            AttemptSettled, StartAttempt, StoppedWithSavepoint {
    }

    /** Handle → job: take a checkpoint now; the coordinator answers {@code replyTo} when it ended. */
    public record TriggerCheckpoint(ActorRef<CheckpointCoordinatorActor.CheckpointResult> replyTo) implements Command {
    }

    /**
     * Handle → job: take a savepoint (or stop with one) in the running attempt; while the job is
     * restarting, it is taken by the next attempt.
     */
    public record TriggerSavepoint(CheckpointCoordinatorActor.RequestSavepoint request) implements Command {
    }

    /** Handle → job: stop the job now; the outcome becomes {@link JobOutcome.Cancelled}. */
    public enum Cancel implements Command {
        INSTANCE
    }

    /** Asks for every subtask, channel and coordinator actor of the running attempt, for tools and tests. */
    public record ListJobActors(ActorRef<JobActors> replyTo) implements Command {
    }

    /** The reply to {@link ListJobActors}; empty between attempts. */
    public record JobActors(List<ActorRef<?>> actors) implements dev.snapflow.serialization.akka.CborSerializable {
        public JobActors {
            actors = List.copyOf(actors);
        }
    }

    /** Attempt → master: how attempt {@code attempt} ended; the attempt stops right after. */
    record AttemptEnded(int attempt, JobOutcome outcome) implements Command {
    }

    /**
     * Attempt → master: the savepoint that stops the job completed (K12); a restart before the job
     * ended starts from it, with the sources stopped.
     */
    record StoppedWithSavepoint(int attempt, long checkpointId, Path directory) implements Command {
    }

    /** The stopped attempt's checkpoint writes are done: the storage is stable to restore from. */
    private record AttemptSettled(int attempt) implements Command {
    }

    private enum StartAttempt implements Command {
        INSTANCE
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final ExecutionPlan plan;
    private final RuntimeSettings settings;
    private final CheckpointSettings checkpointSettings;
    private final CheckpointStorage storage;
    /** What the first attempt starts from, and later ones while no checkpoint has completed. */
    private final Optional<RestoredCheckpoint> initialRestore;
    private final CompletableFuture<JobOutcome> outcome;
    /** Completed in PostStop, which Akka runs after every actor of the job has stopped. */
    private final CompletableFuture<Done> terminated;
    private final MetricsRegistry metrics;
    /** Present for a job on a cluster: where its attempts deploy and what their hosts restore. */
    private final Optional<ClusterTarget> cluster;
    private final RestartBackoff backoff;
    /** The highest checkpoint id the job triggered or started from, shared by its attempts' coordinators. */
    private final AtomicLong highestCheckpointId;
    /** Checkpoint requests that came between attempts; sent to the next one. */
    /** Checkpoint and savepoint requests that came between attempts, for the next one. */
    private final List<CheckpointCoordinatorActor.Command> waitingRequests = new ArrayList<>();
    private int attempt;
    /** The running attempt, or the failed one until it has stopped; null while waiting to restart. */
    private ActorRef<ExecutionAttemptActor.Command> current;
    private CompletableFuture<Void> currentSettled;
    /** The completed savepoint the current attempt was stopping with, if any (K12). */
    private Optional<StoppedWithSavepoint> stopSavepoint = Optional.empty();
    /** Set when the current attempt failed and the strategy allows another: the delay before it. */
    private Duration restartDelay;

    private JobMasterActor(ActorContext<Command> context, TimerScheduler<Command> timers, ExecutionPlan plan,
                           RuntimeSettings settings, CheckpointSettings checkpointSettings, CheckpointStorage storage,
                           Optional<RestoredCheckpoint> restore, CompletableFuture<JobOutcome> outcome,
                           CompletableFuture<Done> terminated, MetricsRegistry metrics, Optional<ClusterTarget> cluster) {
        super(context);
        this.cluster = cluster;
        this.context = context;
        this.timers = timers;
        this.plan = plan;
        this.settings = settings;
        this.checkpointSettings = checkpointSettings;
        this.storage = storage;
        this.initialRestore = restore;
        this.outcome = outcome;
        this.terminated = terminated;
        this.metrics = metrics;
        this.backoff = new RestartBackoff(settings.restartStrategy());
        this.highestCheckpointId = new AtomicLong(Math.max(restore.map(RestoredCheckpoint::checkpointId).orElse(0L),
                cluster.map(ClusterTarget::checkpointIdFloor).orElse(0L)));
    }

    /**
     * @param restore the checkpoint to start from, already checked against {@code plan}; empty to start fresh
     */
    public static Behavior<Command> create(ExecutionPlan plan, RuntimeSettings settings, CheckpointSettings checkpointSettings,
                                           CheckpointStorage storage, Optional<RestoredCheckpoint> restore,
                                           CompletableFuture<JobOutcome> outcome, CompletableFuture<Done> terminated,
                                           MetricsRegistry metrics) {
        return create(plan, settings, checkpointSettings, storage, restore, outcome, terminated, metrics, Optional.empty());
    }

    /**
     * @param cluster present for a job on a cluster: its subtasks run on the members' slots
     *                (the first attempt starts from {@code cluster.restore()}); empty to run in this actor system
     */
    public static Behavior<Command> create(ExecutionPlan plan, RuntimeSettings settings, CheckpointSettings checkpointSettings,
                                           CheckpointStorage storage, Optional<RestoredCheckpoint> restore,
                                           CompletableFuture<JobOutcome> outcome, CompletableFuture<Done> terminated,
                                           MetricsRegistry metrics, Optional<ClusterTarget> cluster) {
        return Behaviors.setup(context -> {
            // Named here: the MDC interceptor around the behavior hides the class from Akka's detection.
            context.setLoggerName(JobMasterActor.class);
            return Behaviors.withTimers(timers -> {
                JobMasterActor master = new JobMasterActor(context, timers, plan, settings, checkpointSettings, storage, restore,
                        outcome, terminated, metrics, cluster);
                master.startAttempt(restore, cluster.flatMap(ClusterTarget::restore));
                return master;
            });
        });
    }

    private void startAttempt(Optional<RestoredCheckpoint> restore, Optional<DeploymentProtocol.RestoreSource> source) {
        attempt++;
        metrics.startAttempt();
        currentSettled = new CompletableFuture<>();
        current = context.spawn(JobLogContext.job(plan.graph().name()).attempt(attempt).around(ExecutionAttemptActor.Command.class,
                ExecutionAttemptActor.create(attempt, context.getSelf(), highestCheckpointId, currentSettled,
                        plan, settings, checkpointSettings, storage, restore, metrics,
                        cluster.map(target -> target.restoringFrom(source)))), "attempt-" + attempt);
        context.watch(current);
        waitingRequests.forEach(request -> current.tell(new ExecutionAttemptActor.ToCoordinator(request)));
        waitingRequests.clear();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(AttemptEnded.class, this::onAttemptEnded)
                .onMessage(StoppedWithSavepoint.class, this::onStoppedWithSavepoint)
                .onMessage(AttemptSettled.class, this::onAttemptSettled)
                .onMessageEquals(StartAttempt.INSTANCE, this::onStartAttempt)
                .onMessageEquals(Cancel.INSTANCE, this::onCancel)
                .onMessage(ListJobActors.class, this::onListJobActors)
                .onMessage(TriggerCheckpoint.class, request -> toCoordinator(new CheckpointCoordinatorActor.RequestCheckpoint(request.replyTo())))
                .onMessage(TriggerSavepoint.class, request -> toCoordinator(request.request()))
                .onSignal(Terminated.class, this::onAttemptTerminated)
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    private Behavior<Command> onAttemptEnded(AttemptEnded ended) {
        if (ended.attempt() != attempt || restartDelay != null) {
            return this;
        }
        if (!(ended.outcome() instanceof JobOutcome.Failed failed)) {
            outcome.complete(ended.outcome());
            return Behaviors.stopped();
        }
        // A job refused for lack of slots is not restarted: the restart would only wait for them again.
        Optional<Duration> delay = failed.cause() instanceof InsufficientSlotsException
                ? Optional.empty() : backoff.onFailure(System.currentTimeMillis());
        metrics.add(new JobAttemptFailure(attempt, Instant.now(), failed.operatorName(), failed.subtaskIndex(),
                failed.cause(), delay.isPresent()));
        if (delay.isEmpty()) {
            outcome.complete(failed);
            return Behaviors.stopped();
        }
        // An expected, handled failure: one line; the stack trace is in the handle's failed attempts, and at DEBUG.
        context.getLog().warn("Attempt {} of job {} failed in {} ({}/{}): {}; restarting in {} ms from the latest checkpoint",
                attempt, plan.graph().name(), failed.operatorName(), failed.subtaskIndex() + 1, failed.parallelism(),
                failed.cause(), delay.get().toMillis());
        if (context.getLog().isDebugEnabled()) {
            context.getLog().debug("Attempt {} of job {} failed", attempt, plan.graph().name(), failed.cause());
        }
        restartDelay = delay.get();
        return this;
    }

    /**
     * The new attempt starts only once every actor of the previous one has stopped and its last
     * checkpoint writes are done, so that nothing of it reaches the new attempt or its storage.
     */
    private Behavior<Command> onAttemptTerminated(Terminated terminated) {
        // An attempt reports its end, at the latest in its PostStop, and a watched actor's messages
        // arrive before its Terminated: a restart is already decided here, or the master has stopped.
        if (terminated.getRef().equals(current) && restartDelay != null) {
            current = null;
            int ended = attempt;
            // Piped as a non-null value: a null one reaching a stopped master breaks Akka's dead-letter logging.
            context.pipeToSelf(currentSettled.thenApply(settled -> ended), (ok, failure) -> new AttemptSettled(ended));
        }
        return this;
    }

    private Behavior<Command> onAttemptSettled(AttemptSettled settled) {
        if (settled.attempt() == attempt && restartDelay != null) {
            timers.startSingleTimer(StartAttempt.INSTANCE, restartDelay);
        }
        return this;
    }

    private Behavior<Command> onStoppedWithSavepoint(StoppedWithSavepoint stopped) {
        if (stopped.attempt() == attempt && stopSavepoint.isEmpty()) {
            stopSavepoint = Optional.of(stopped);
        }
        return this;
    }

    private Behavior<Command> onStartAttempt() {
        restartDelay = null;
        Optional<RestoredCheckpoint> restore;
        Optional<DeploymentProtocol.RestoreSource> source;
        try {
            restore = RestoredCheckpoint.findLatest(storage, plan, false);
            source = restore.map(r -> new DeploymentProtocol.RestoreSource(r.checkpointId(), Optional.empty(), false));
            if (restore.isEmpty()) {
                restore = initialRestore;
                source = cluster.flatMap(ClusterTarget::restore);
            }
            if (stopSavepoint.isPresent()) {
                // Rule K12: the job had stopped with a savepoint, and its side effects are committed:
                // it restarts from there (or from a later checkpoint), its sources stopped, so that
                // it ends as it was stopping, however often it fails before it ended.
                if (restore.map(r -> r.checkpointId() < stopSavepoint.get().checkpointId()).orElse(true)) {
                    restore = Optional.of(RestoredCheckpoint.of(
                            new SnapshotDirectory(stopSavepoint.get().directory()).readIntact(), plan, false));
                    source = Optional.of(new DeploymentProtocol.RestoreSource(restore.get().checkpointId(),
                            Optional.of(stopSavepoint.get().directory().toString()), true));
                }
                restore = restore.map(RestoredCheckpoint::withSourcesStopped);
                source = source.map(s -> new DeploymentProtocol.RestoreSource(s.checkpointId(), s.savepointDirectory(), true));
            }
        } catch (IOException | RuntimeException e) {
            outcome.complete(new JobOutcome.Failed(plan.graph().name(), 0, 1,
                    new IllegalStateException("Cannot restart job '" + plan.graph().name() + "' from its latest checkpoint", e)));
            return Behaviors.stopped();
        }
        startAttempt(restore, source);
        return this;
    }

    private Behavior<Command> toCoordinator(CheckpointCoordinatorActor.Command request) {
        if (current == null || restartDelay != null) {
            waitingRequests.add(request);
        } else {
            current.tell(new ExecutionAttemptActor.ToCoordinator(request));
        }
        return this;
    }

    private Behavior<Command> onListJobActors(ListJobActors request) {
        if (current == null || restartDelay != null) {
            request.replyTo().tell(new JobActors(List.of()));
        } else {
            current.tell(new ExecutionAttemptActor.ListAttemptActors(request.replyTo()));
        }
        return this;
    }

    private Behavior<Command> onCancel() {
        outcome.complete(new JobOutcome.Cancelled());
        return Behaviors.stopped();
    }

    private Behavior<Command> onPostStop() {
        outcome.complete(new JobOutcome.Failed(plan.graph().name(), 0, 1,
                new IllegalStateException("The job stopped before it finished (was its actor system terminated?)")));
        // Terminated means settled: no checkpoint file of the job is still being written or deleted.
        currentSettled.whenComplete((ok, failure) -> terminated.complete(Done.getInstance()));
        return this;
    }
}
