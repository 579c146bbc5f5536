package dev.snapflow.engine.checkpoint.coordinator;

import akka.actor.NoSerializationVerificationNeeded;
import dev.snapflow.engine.runtime.JobLogContext;
import dev.snapflow.serialization.akka.CborSerializable;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.engine.checkpoint.RepeatedWarnings;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.storage.CheckpointMetadata;
import dev.snapflow.engine.storage.CheckpointStorage;
import dev.snapflow.engine.storage.StateHandle;
import dev.snapflow.serialization.event.CheckpointBarrier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.snapflow.engine.storage.SnapshotDirectory;
import dev.snapflow.engine.storage.TrackingExecutor;
import dev.snapflow.serialization.event.CheckpointStorageLocationReference;
import dev.snapflow.serialization.event.SavepointFormatType;
import dev.snapflow.serialization.event.SavepointType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The shell of one job's {@link CheckpointCoordinator}: it owns the periodic and timeout timers,
 * sends triggers and notifications to subtasks, writes each checkpoint's metadata (last) and
 * deletes dropped checkpoints on the blocking-IO dispatcher, and reports every finished
 * checkpoint to the job.
 */
public final class CheckpointCoordinatorActor extends AbstractBehavior<CheckpointCoordinatorActor.Command> {

    public sealed interface Command permits AcknowledgeCheckpoint, DeclineCheckpoint, RequestCheckpoint, RequestSavepoint,
            SubtaskFinished, GetCheckpointStats, Tick, Expire, MetadataWritten, MetadataFailed {
    }

    /** Subtask → coordinator: its part of checkpoint {@code checkpointId} is written at {@code state}. */
    public record AcknowledgeCheckpoint(SubtaskId subtask, long checkpointId, StateHandle state,
                                        SubtaskCheckpointMetrics metrics) implements Command, CborSerializable {
    }

    /** Subtask → coordinator: it cannot take checkpoint {@code checkpointId}; the checkpoint aborts. */
    public record DeclineCheckpoint(SubtaskId subtask, long checkpointId, CheckpointFailureReason reason, String message)
            implements Command, CborSerializable {
    }

    /** Job handle → coordinator: take a checkpoint now; the reply comes when it completed or failed. */
    public record RequestCheckpoint(ActorRef<CheckpointResult> replyTo) implements Command, NoSerializationVerificationNeeded {
    }

    /** The reply to {@link RequestCheckpoint}. */
    public sealed interface CheckpointResult permits CheckpointSucceeded, CheckpointNotTaken {
    }

    /** The requested checkpoint completed. */
    public record CheckpointSucceeded(CheckpointStats stats) implements CheckpointResult, CborSerializable {
    }

    /** The requested checkpoint did not start, or failed. */
    public record CheckpointNotTaken(String reason) implements CheckpointResult, CborSerializable {
    }

    /**
     * Job handle → coordinator: take a savepoint now, into a new directory under
     * {@code targetDirectory}; the reply comes when it completed or failed.
     *
     * @param postAction {@code NONE} for a savepoint the job runs on after, {@code SUSPEND} for
     *                   stop-with-savepoint: sources stop once it completed and the job ends
     */
    public record RequestSavepoint(Path targetDirectory, SavepointType.PostAction postAction,
                                   ActorRef<SavepointResult> replyTo) implements Command, NoSerializationVerificationNeeded {
        public RequestSavepoint {
            Objects.requireNonNull(targetDirectory, "targetDirectory");
            Objects.requireNonNull(postAction, "postAction");
            if (postAction == SavepointType.PostAction.TERMINATE) {
                throw new IllegalArgumentException("Stop-with-savepoint with drain (TERMINATE) is not supported; use SUSPEND");
            }
        }
    }

    /** The reply to {@link RequestSavepoint}. */
    public sealed interface SavepointResult permits SavepointCompleted, SavepointFailed {
    }

    /** The savepoint completed in {@code directory}, which a new job can start from. */
    public record SavepointCompleted(Path directory, CheckpointStats stats) implements SavepointResult, CborSerializable {
    }

    /** The savepoint did not start, or failed; nothing of it remains. */
    public record SavepointFailed(String reason) implements SavepointResult, CborSerializable {
    }

    /** Job → coordinator: a subtask finished; it is triggered directly from now on. */
    public record SubtaskFinished(SubtaskId subtask) implements Command, NoSerializationVerificationNeeded {
    }

    /** Asks for the statistics of every checkpoint so far, oldest first. */
    public record GetCheckpointStats(ActorRef<List<CheckpointStats>> replyTo) implements Command, NoSerializationVerificationNeeded {
    }

    private enum Tick implements Command, NoSerializationVerificationNeeded {
        PERIODIC, RETRY
    }

    private record Expire(long checkpointId) implements Command, NoSerializationVerificationNeeded {
    }

    private record MetadataWritten(CompletedCheckpoint<StateHandle> checkpoint) implements Command, NoSerializationVerificationNeeded {
    }

    private record MetadataFailed(CompletedCheckpoint<StateHandle> checkpoint, Throwable cause) implements Command, NoSerializationVerificationNeeded {
    }

    /** For work finished off the actor's thread, where the actor's own logger must not be used. */
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointCoordinatorActor.class);

    private final String jobName;
    /** Set on the threads that delete and retain checkpoints for this job, as Akka sets it on the actor's. */
    private final JobLogContext logContext;
    private final CheckpointSettings settings;
    private final CheckpointCoordinator<StateHandle> coordinator;
    private final Map<SubtaskId, ActorRef<CheckpointProtocol.SubtaskCheckpointCommand>> subtasks;
    private final Map<SubtaskId, String> subtaskNames;
    private final CheckpointStatsTracker stats;
    private final CheckpointCleanup<ActorRef<SavepointResult>> cleanup = new CheckpointCleanup<>();
    private final CheckpointStorage storage;
    private final ActorRef<CheckpointProtocol.CoordinatorEvent> job;
    private final TimerScheduler<Command> timers;
    /** Every write and deletion of the coordinator runs here, so that {@code settled} can wait for them all. */
    private final TrackingExecutor blockingIo;
    /** A checkpoint that cannot be written fails the same way every time: say so once per ten seconds. */
    private final RepeatedWarnings warnings = new RepeatedWarnings(java.util.concurrent.TimeUnit.SECONDS.toNanos(10), System::nanoTime);
    /** The highest id this job ever triggered, shared with later attempts so that they never reuse one. */
    private final java.util.concurrent.atomic.AtomicLong highestTriggeredId;
    /** Completed when, after the coordinator stopped, its last metadata write and retention are done. */
    private final CompletableFuture<Void> settled;
    private final Map<Long, List<ActorRef<CheckpointResult>>> requesters = new HashMap<>();
    /** Requests that came while max-concurrent checkpoints were in progress; served when one ends. */
    private final List<ActorRef<CheckpointResult>> queuedRequests = new ArrayList<>();

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The latest metadata write; when the job stops, retention is enforced after it. */
    private CompletableFuture<Void> lastFinalization = CompletableFuture.completedFuture(null);

    private CheckpointCoordinatorActor(ActorContext<Command> context, TimerScheduler<Command> timers, JobLogContext logContext,
                                       CheckpointSettings settings, Map<SubtaskId, ActorRef<CheckpointProtocol.SubtaskCheckpointCommand>> subtasks,
                                       Set<SubtaskId> sources, Map<SubtaskId, String> subtaskNames, CheckpointStorage storage,
                                       ActorRef<CheckpointProtocol.CoordinatorEvent> job, long firstCheckpointId,
                                       java.util.concurrent.atomic.AtomicLong highestTriggeredId,
                                       CompletableFuture<Void> settled) {
        super(context);
        this.highestTriggeredId = highestTriggeredId;
        this.settled = settled;
        this.jobName = logContext.jobName();
        this.logContext = logContext;
        this.settings = settings;
        this.timers = timers;
        this.subtasks = Map.copyOf(subtasks);
        this.subtaskNames = Map.copyOf(subtaskNames);
        this.stats = new CheckpointStatsTracker(subtaskNames);
        this.storage = storage;
        this.job = job;
        this.coordinator = new CheckpointCoordinator<>(settings, subtasks.keySet(), sources, System::currentTimeMillis,
                firstCheckpointId);
        this.blockingIo = new TrackingExecutor(context.getSystem().dispatchers().lookup(DispatcherSelector.blocking()));
    }

    /**
     * @param subtasks every subtask of the job with the ref it accepts checkpoint commands on
     * @param sources  the source subtasks, which receive the triggers
     */
    public static Behavior<Command> create(String jobName, CheckpointSettings settings,
                                           Map<SubtaskId, ActorRef<CheckpointProtocol.SubtaskCheckpointCommand>> subtasks,
                                           Set<SubtaskId> sources, Map<SubtaskId, String> subtaskNames,
                                           CheckpointStorage storage, ActorRef<CheckpointProtocol.CoordinatorEvent> job) {
        return create(jobName, settings, subtasks, sources, subtaskNames, storage, job, 1);
    }

    /** @param firstCheckpointId the id of the first checkpoint: after a restore, one more than the restored checkpoint's */
    public static Behavior<Command> create(String jobName, CheckpointSettings settings,
                                           Map<SubtaskId, ActorRef<CheckpointProtocol.SubtaskCheckpointCommand>> subtasks,
                                           Set<SubtaskId> sources, Map<SubtaskId, String> subtaskNames,
                                           CheckpointStorage storage, ActorRef<CheckpointProtocol.CoordinatorEvent> job,
                                           long firstCheckpointId) {
        return create(JobLogContext.job(jobName), settings, subtasks, sources, subtaskNames, storage, job,
                new java.util.concurrent.atomic.AtomicLong(firstCheckpointId - 1), new CompletableFuture<>());
    }

    /**
     * @param highestTriggeredId the highest id the job triggered (or restored) so far; the first
     *                           checkpoint gets the next id, and the counter is raised to every id
     *                           this coordinator triggers, so a restarted attempt's checkpoints never
     *                           share a directory with a write the failed attempt may still have in flight
     * @param settled            completed once the coordinator has stopped and its last metadata
     *                           write and retention are done, so the storage is stable to restore from
     */
    public static Behavior<Command> create(JobLogContext logContext, CheckpointSettings settings,
                                           Map<SubtaskId, ActorRef<CheckpointProtocol.SubtaskCheckpointCommand>> subtasks,
                                           Set<SubtaskId> sources, Map<SubtaskId, String> subtaskNames,
                                           CheckpointStorage storage, ActorRef<CheckpointProtocol.CoordinatorEvent> job,
                                           java.util.concurrent.atomic.AtomicLong highestTriggeredId,
                                           CompletableFuture<Void> settled) {
        return Behaviors.setup(context -> {
            // Named here: the MDC interceptor around the behavior hides the class from Akka's detection.
            context.setLoggerName(CheckpointCoordinatorActor.class);
            return Behaviors.withTimers(timers -> {
                settings.interval().ifPresent(interval -> timers.startTimerWithFixedDelay(Tick.PERIODIC, interval));
                return new CheckpointCoordinatorActor(context, timers, logContext, settings, subtasks, sources, subtaskNames,
                        storage, job, highestTriggeredId.get() + 1, highestTriggeredId, settled);
            });
        });
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(AcknowledgeCheckpoint.class, this::onAcknowledge)
                .onMessage(DeclineCheckpoint.class, this::onDecline)
                .onMessage(RequestCheckpoint.class, this::onRequest)
                .onMessage(RequestSavepoint.class, this::onRequestSavepoint)
                .onMessage(SubtaskFinished.class, this::onSubtaskFinished)
                .onMessage(GetCheckpointStats.class, this::onGetStats)
                .onMessageEquals(Tick.PERIODIC, this::onPeriodicTick)
                .onMessageEquals(Tick.RETRY, this::onPeriodicTick)
                .onMessage(Expire.class, this::onExpire)
                .onMessage(MetadataWritten.class, this::onMetadataWritten)
                .onMessage(MetadataFailed.class, this::onMetadataFailed)
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    private Behavior<Command> onPeriodicTick() {
        CheckpointCoordinator.TriggerDecision decision = coordinator.tryTrigger(true);
        if (decision instanceof CheckpointCoordinator.TriggerDecision.NotNow notNow && notNow.retryAtMillis().isPresent()) {
            long delay = Math.max(1, notNow.retryAtMillis().getAsLong() - System.currentTimeMillis());
            timers.startSingleTimer(Tick.RETRY, Duration.ofMillis(delay));
        }
        carryOut(decision);
        return this;
    }

    /** A requested checkpoint starts at once, or as soon as one in progress ends (as Flink queues user requests). */
    private Behavior<Command> onRequest(RequestCheckpoint request) {
        queuedRequests.add(request.replyTo());
        serveQueuedRequests();
        return this;
    }

    private void serveQueuedRequests() {
        if (queuedRequests.isEmpty()) {
            return;
        }
        CheckpointCoordinator.TriggerDecision decision = coordinator.tryTrigger(false);
        if (decision instanceof CheckpointCoordinator.TriggerDecision.Trigger trigger) {
            requesters.computeIfAbsent(trigger.barrier().id(), id -> new ArrayList<>()).addAll(queuedRequests);
            queuedRequests.clear();
            carryOut(decision);
        }
    }

    /**
     * A savepoint starts at once (savepoints are forced), into a directory of its own created
     * now, so that a subtask's late write after an abort finds no directory and writes nothing.
     */
    private Behavior<Command> onRequestSavepoint(RequestSavepoint request) {
        Path directory = request.targetDirectory().toAbsolutePath().resolve("savepoint-"
                + HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(6).putInt(RANDOM.nextInt())
                .putShort((short) RANDOM.nextInt()).array()));
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            request.replyTo().tell(new SavepointFailed("Cannot create the savepoint directory " + directory + ": " + e));
            return this;
        }
        CheckpointCoordinator.TriggerDecision.Trigger trigger = coordinator.triggerSavepoint(
                new SavepointType(request.postAction(), SavepointFormatType.CANONICAL),
                CheckpointStorageLocationReference.of(directory.toString().getBytes(StandardCharsets.UTF_8)));
        cleanup.savepointTriggered(trigger.barrier().id(), directory, request.replyTo());
        getContext().getLog().info("Job {}: savepoint {} triggered into {}", jobName, trigger.barrier().id(), directory);
        carryOut(trigger);
        return this;
    }

    private void carryOut(CheckpointCoordinator.TriggerDecision decision) {
        if (decision instanceof CheckpointCoordinator.TriggerDecision.Trigger trigger) {
            CheckpointBarrier barrier = trigger.barrier();
            highestTriggeredId.accumulateAndGet(barrier.id(), Math::max);
            stats.triggered(barrier.id(), barrier.timestamp());
            timers.startSingleTimer(new Expire(barrier.id()), new Expire(barrier.id()), settings.timeout());
            for (SubtaskId target : trigger.targets()) {
                subtasks.get(target).tell(new CheckpointProtocol.TriggerCheckpoint(barrier));
            }
        }
    }

    private Behavior<Command> onSubtaskFinished(SubtaskFinished finished) {
        for (CheckpointBarrier barrier : coordinator.onSubtaskFinished(finished.subtask())) {
            subtasks.get(finished.subtask()).tell(new CheckpointProtocol.TriggerCheckpoint(barrier));
        }
        return this;
    }

    private Behavior<Command> onAcknowledge(AcknowledgeCheckpoint ack) {
        return carryOut(coordinator.acknowledge(ack.checkpointId(), ack.subtask(), ack.state(), ack.metrics()));
    }

    private Behavior<Command> onDecline(DeclineCheckpoint decline) {
        getContext().getLog().info("Checkpoint {} of job {} declined by {}: {} ({})", decline.checkpointId(), jobName,
                subtaskNames.get(decline.subtask()), decline.reason(), decline.message());
        return carryOut(coordinator.decline(decline.checkpointId(), decline.subtask(), decline.reason()),
                Optional.of("declined by " + subtaskNames.get(decline.subtask()) + ": " + decline.message()));
    }

    private Behavior<Command> onExpire(Expire expire) {
        getContext().getLog().warn("Checkpoint {} of job {} expired before completing", expire.checkpointId(), jobName);
        return carryOut(coordinator.expire(expire.checkpointId()));
    }

    private Behavior<Command> carryOut(CheckpointCoordinator.Outcome outcome) {
        return carryOut(outcome, Optional.empty());
    }

    /** @param detail why a checkpoint that this outcome aborts failed, for the statistics and the job's failure */
    @SuppressWarnings("unchecked")
    private Behavior<Command> carryOut(CheckpointCoordinator.Outcome outcome, Optional<String> detail) {
        if (outcome instanceof CheckpointCoordinator.Outcome.ReadyToFinalize<?> ready) {
            CompletedCheckpoint<StateHandle> checkpoint = (CompletedCheckpoint<StateHandle>) ready.checkpoint();
            timers.cancel(new Expire(checkpoint.id()));
            CheckpointMetadata metadata = new CheckpointMetadata(jobName, checkpoint.id(), checkpoint.triggerTimeMillis(),
                    checkpoint.completionMillis(), checkpoint.subtaskStates());
            Optional<Path> savepointDirectory = cleanup.savepoint(checkpoint.id()).map(CheckpointCleanup.PendingSavepoint::directory);
            cleanup.finalizing(checkpoint.id());
            // Metadata writes run one after the other, so checkpoints complete in id order even when
            // the next checkpoint is fully acknowledged before the previous one's metadata is written.
            lastFinalization = lastFinalization.handle((previous, failure) -> null).thenRunAsync(() -> {
                try {
                    // Rule K5: the metadata is written last
                    if (savepointDirectory.isEmpty()) {
                        storage.writeMetadata(metadata);
                    } else {
                        new SnapshotDirectory(savepointDirectory.get()).writeMetadata(metadata);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, blockingIo);
            // Piped as a non-null value: a null one reaching a stopped coordinator breaks Akka's dead-letter logging.
            getContext().pipeToSelf(lastFinalization.thenApply(written -> checkpoint), (ok, failure) -> failure == null
                    ? new MetadataWritten(checkpoint) : new MetadataFailed(checkpoint, failure));
        } else if (outcome instanceof CheckpointCoordinator.Outcome.Aborted aborted) {
            return abort(aborted, detail);
        } else if (outcome instanceof CheckpointCoordinator.Outcome.Ignored ignored) {
            cleanup.onIgnored(ignored.checkpointId(), coordinator.retained().stream().map(CompletedCheckpoint::id).toList())
                    .ifPresent(this::delete);
        }
        return this;
    }

    private Behavior<Command> onMetadataWritten(MetadataWritten written) {
        CheckpointCoordinator.Finalized<StateHandle> finalized = coordinator.onFinalized(written.checkpoint());
        CompletedCheckpoint<StateHandle> checkpoint = finalized.checkpoint();
        CheckpointStats completed = record(stats.completed(checkpoint));
        cleanup.finalized(checkpoint.id()).ifPresent(savepoint -> {
            if (checkpoint.options().snapshotType().isSynchronous()) {
                job.tell(new CheckpointProtocol.StoppedWithSavepoint(checkpoint.id(), savepoint.directory()));
            }
            savepoint.replyTo().tell(new SavepointCompleted(savepoint.directory(), completed));
        });
        // As in Flink, a savepoint the job runs on after is not announced: it is the user's, and
        // side effects wait for the next checkpoint. One that stops the job is.
        if (!checkpoint.isSavepoint() || checkpoint.options().snapshotType().isSynchronous()) {
            subtasks.values().forEach(subtask -> subtask.tell(new CheckpointProtocol.NotifyCheckpointComplete(checkpoint.id())));
        }
        for (long subsumed : finalized.subsumed()) {
            abort(new CheckpointCoordinator.Outcome.Aborted(subsumed, CheckpointFailureReason.CHECKPOINT_SUBSUMED, false),
                    Optional.empty());
        }
        finalized.evicted().forEach(evicted -> delete(new CheckpointCleanup.Deletion.Checkpoint(evicted.id())));
        reply(checkpoint.id(), new CheckpointSucceeded(completed));
        serveQueuedRequests();
        return this;
    }

    private Behavior<Command> onMetadataFailed(MetadataFailed failed) {
        Throwable cause = RepeatedWarnings.unwrap(failed.cause());
        warnings.noteFor(cause).ifPresent(note -> getContext().getLog().warn(
                "Writing the metadata of checkpoint {} of job {} failed{}", failed.checkpoint().id(), jobName, note, cause));
        CheckpointCoordinator.Outcome outcome = coordinator.onFinalizeFailed(failed.checkpoint());
        return abort((CheckpointCoordinator.Outcome.Aborted) outcome, Optional.of("writing its metadata failed: " + cause));
    }

    private Behavior<Command> abort(CheckpointCoordinator.Outcome.Aborted aborted, Optional<String> detail) {
        long id = aborted.checkpointId();
        timers.cancel(new Expire(id));
        String reason = aborted.reason() + detail.map(d -> ": " + d).orElse("");
        CheckpointCleanup.Aborted<ActorRef<SavepointResult>> cleaned = cleanup.onAborted(id);
        record(stats.failed(id, cleaned.savepoint().isPresent(), reason, System.currentTimeMillis()));
        subtasks.values().forEach(subtask -> subtask.tell(new CheckpointProtocol.NotifyCheckpointAborted(id)));
        delete(cleaned.deletion());
        cleaned.savepoint().ifPresent(savepoint -> savepoint.replyTo().tell(new SavepointFailed("Savepoint " + id + " failed: " + reason)));
        reply(id, new CheckpointNotTaken(reason));
        if (aborted.failJob()) {
            job.tell(new CheckpointProtocol.FailJob(id, aborted.reason(), "Checkpoint " + id + " failed (" + reason + "), one more"
                    + " than the " + settings.tolerableFailures() + " failed checkpoints in a row the job tolerates"
                    + " (snapflow.checkpoint.tolerable-failed-checkpoints)"));
        }
        serveQueuedRequests();
        return this;
    }

    /**
     * The job ended: checkpoints still in progress will never complete, so none of them may stay
     * in storage; and a checkpoint whose metadata was still being written may have completed
     * unseen, so retention is enforced on the storage itself once that write is done.
     */
    private Behavior<Command> onPostStop() {
        for (CheckpointCleanup.Aborted<ActorRef<SavepointResult>> cleaned : cleanup.onStopped(coordinator.pendingIds())) {
            delete(cleaned.deletion());
            cleaned.savepoint().ifPresent(savepoint -> savepoint.replyTo().tell(
                    new SavepointFailed("The job stopped before savepoint " + savepoint.checkpointId() + " completed")));
        }
        lastFinalization.handleAsync((ok, failure) -> {
            logContext.run(() -> {
                try {
                    List<Long> completed = storage.completedCheckpointIds();
                    for (int i = 0; i < completed.size() - settings.retained(); i++) {
                        storage.discard(completed.get(i));
                    }
                } catch (IOException e) {
                    LOG.warn("Could not apply checkpoint retention of job {}: {}", jobName, e.toString());
                }
            });
            return null;
        }, blockingIo).handle((ok, failure) -> null).thenCompose(done -> blockingIo.whenIdle())
                .whenComplete((ok, failure) -> settled.complete(null));
        return this;
    }

    private Behavior<Command> onGetStats(GetCheckpointStats request) {
        request.replyTo().tell(stats.history());
        return this;
    }

    /** Logs a finished checkpoint's figures and reports them to the job. */
    private CheckpointStats record(CheckpointStats finished) {
        getContext().getLog().info("Job {}: {}", jobName, finished.summary());
        job.tell(new CheckpointProtocol.CheckpointFinished(finished));
        return finished;
    }

    private void reply(long checkpointId, CheckpointResult result) {
        List<ActorRef<CheckpointResult>> waiting = requesters.remove(checkpointId);
        if (waiting != null) {
            waiting.forEach(requester -> requester.tell(result));
        }
    }

    private void delete(CheckpointCleanup.Deletion deletion) {
        CompletableFuture.runAsync(() -> logContext.run(() -> {
            try {
                if (deletion instanceof CheckpointCleanup.Deletion.Checkpoint checkpoint) {
                    storage.discard(checkpoint.checkpointId());
                } else if (deletion instanceof CheckpointCleanup.Deletion.Savepoint savepoint) {
                    new SnapshotDirectory(savepoint.directory()).delete();
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not delete {} of job {}: {}", deletion.describe(), jobName, e.toString());
            }
        }), blockingIo);
    }
}
