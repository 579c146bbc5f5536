package dev.snapflow.engine.cluster;

import akka.Done;
import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snapflow.engine.JobAttemptFailure;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointCoordinatorActor;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.JobParameters;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.job.ClusterTarget;
import dev.snapflow.engine.job.DeploymentProtocol;
import dev.snapflow.engine.job.JobMasterActor;
import dev.snapflow.engine.job.JobOutcome;
import dev.snapflow.engine.job.MetricsRegistry;
import dev.snapflow.engine.job.RestoredCheckpoint;
import dev.snapflow.engine.runtime.JobLogContext;
import dev.snapflow.engine.runtime.channel.ChannelWireCodec;
import dev.snapflow.engine.runtime.channel.InFlightCodec;
import dev.snapflow.engine.storage.FileSystemCheckpointStorage;
import dev.snapflow.serialization.akka.CborSerializable;
import dev.snapflow.serialization.event.SavepointType;
import dev.snapflow.serialization.record.ValueCodec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The master of one job on a cluster: a Cluster Singleton, so that exactly one runs, on the
 * oldest member, and another takes over on the next oldest when that member is lost. It runs the
 * job's {@link JobMasterActor}, which restarts attempts as the job's restart strategy says; a new
 * incarnation after a failover starts the job from the latest completed checkpoint in the shared
 * directory. When the job ends it writes the result there ({@value #RESULT_FILE}, as Flink's job
 * result store does), so that no later incarnation runs an ended job again, and keeps answering
 * the job's handles with it.
 *
 * <p>Handles on any node follow the job through {@link JobClient}s, which subscribe here and are
 * sent every finished checkpoint, failed attempt and, at the end, the result.
 */
public final class ClusterJobMaster {

    public static final String RESULT_FILE = "_result";

    private ClusterJobMaster() {
    }

    /** What the master accepts: from job clients on any node (CBOR), and its own notes. */
    public sealed interface Command permits Subscribe, CancelJob, RequestCheckpoint, RequestSavepoint, ListActors, Observed, Ended,
            RetryStart, PublishFigures {
    }

    private enum PublishFigures implements Command, NoSerializationVerificationNeeded {
        INSTANCE
    }

    /** How often the master sends its clients the job's figures. */
    private static final java.time.Duration FIGURES_INTERVAL = java.time.Duration.ofSeconds(1);

    /** A client follows the job: it is answered {@link Subscribed} and then sent every {@link ClientEvent}. */
    public record Subscribe(ActorRef<ClientEvent> client) implements Command, CborSerializable {
    }

    public enum CancelJob implements Command, CborSerializable {
        INSTANCE
    }

    public record RequestCheckpoint(ActorRef<CheckpointCoordinatorActor.CheckpointResult> replyTo)
            implements Command, CborSerializable {
    }

    public record RequestSavepoint(String targetDirectory, SavepointType.PostAction postAction,
                                   ActorRef<CheckpointCoordinatorActor.SavepointResult> replyTo) implements Command, CborSerializable {
    }

    public record ListActors(ActorRef<JobMasterActor.JobActors> replyTo) implements Command, CborSerializable {
    }

    private record Observed(ClientEvent event) implements Command, NoSerializationVerificationNeeded {
    }

    private record Ended(JobOutcome outcome) implements Command, NoSerializationVerificationNeeded {
    }

    private record RetryStart(int attemptsLeft) implements Command, NoSerializationVerificationNeeded {
    }

    /**
     * How long a master waits for its node to register the job's definition: a node may start
     * its master (it is the oldest) a moment before its application registered the jobs.
     */
    private static final int DEFINITION_CHECKS = 30;
    private static final java.time.Duration DEFINITION_CHECK_INTERVAL = java.time.Duration.ofSeconds(1);

    /** What clients are sent. */
    public sealed interface ClientEvent permits Subscribed, CheckpointEnded, AttemptFailed, ResultPart, JobEnded, FiguresUpdate {
    }

    /** The job's figures now, every second while it runs: its subtasks' and channels' on every node. */
    public record FiguresUpdate(DeploymentProtocol.PartFigures figures) implements ClientEvent, CborSerializable {
    }

    /** The master that answers now; a client watches it and subscribes again once it is gone. */
    public record Subscribed(ActorRef<Command> master) implements ClientEvent, CborSerializable {
    }

    public record CheckpointEnded(CheckpointStats stats) implements ClientEvent, CborSerializable {
    }

    /** An attempt failed; the cause as its class name and message. */
    public record AttemptFailed(int attempt, long timeMillis, String operatorName, int subtaskIndex, String causeClass,
                                String causeMessage, boolean restarted) implements ClientEvent, CborSerializable {
    }

    /** Part of the records a collecting sink collected, in {@link InFlightCodec}'s chunk format; before {@link JobEnded}. */
    public record ResultPart(String sinkName, byte[] records) implements ClientEvent, CborSerializable {
    }

    /** How the job ended; the collected records came in {@link ResultPart}s just before. */
    public record JobEnded(EndedJob result) implements ClientEvent, CborSerializable {
    }

    /**
     * A job's end as stored and sent: {@code status} is FINISHED, FAILED or CANCELLED; the failure
     * fields are empty strings and zeros unless it failed.
     */
    public record EndedJob(String status, long durationMillis, List<SinkEnd> sinks, String failedOperator, int failedSubtask,
                           int failedParallelism, String causeClass, String causeMessage) {
    }

    /** One sink's total; {@code collected} tells whether it collected records. */
    public record SinkEnd(String name, long records, boolean collected) {
    }

    /** The result file: the end and the collected records. */
    record StoredResult(EndedJob ended, List<ResultPart> parts) {
    }

    /**
     * Starts (or finds) the singleton manager of the job on this node and returns the proxy that
     * reaches the job's master wherever it runs.
     */
    public static ActorRef<Command> init(ActorSystem<?> system, AnnouncedJob job, Function<String, Optional<JobDefinition>> definitions) {
        return ClusterSingleton.get(system).init(SingletonActor.of(JobLogContext.job(job.jobName()).around(Command.class,
                Behaviors.setup(context -> {
                    context.setLoggerName(ClusterJobMaster.class);
                    return Behaviors.<Command>withStash(1000, stash ->
                            awaitDefinition(context, stash, job, definitions, DEFINITION_CHECKS));
                })), "snapflow-job-" + job.jobId()));
    }

    /** A job as every node learns of it, so that each can run its master. */
    public record AnnouncedJob(String jobId, String jobName, JobParameters parameters) implements CborSerializable {
    }

    /** Starts once this node has the job's definition, keeping requests meanwhile; fails the job if it never comes. */
    private static Behavior<Command> awaitDefinition(ActorContext<Command> context, akka.actor.typed.javadsl.StashBuffer<Command> stash,
                                                     AnnouncedJob announced, Function<String, Optional<JobDefinition>> definitions,
                                                     int checksLeft) {
        Optional<JobDefinition> definition = definitions.apply(announced.jobName());
        if (definition.isPresent()) {
            return stash.unstashAll(start(context, announced, definition.get()));
        }
        if (checksLeft <= 0) {
            context.getLog().error("The master of job {} cannot run on this node: no job is registered as '{}' here;"
                    + " register it on every node", announced.jobId(), announced.jobName());
            return stash.unstashAll(ended(context, failed("master", new IllegalStateException("No job is registered as '"
                    + announced.jobName() + "' on node " + context.getSystem().address())), List.of()));
        }
        context.scheduleOnce(DEFINITION_CHECK_INTERVAL, context.getSelf(), new RetryStart(checksLeft - 1));
        return Behaviors.receive(Command.class)
                .onMessage(RetryStart.class, retry -> awaitDefinition(context, stash, announced, definitions, retry.attemptsLeft()))
                .onMessage(Command.class, message -> {
                    stash.stash(message);
                    return Behaviors.same();
                })
                .build();
    }

    private static Behavior<Command> start(ActorContext<Command> context, AnnouncedJob announced, JobDefinition definition) {
        ClusterJob job;
        FileSystemCheckpointStorage storage = null;
        try {
            job = definition.define(announced.parameters());
            CheckpointSettings checkpointSettings = job.checkpointSettingsOn(context.getSystem());
            ClusterJob.sharedJobDirectory(checkpointSettings, announced.jobId(), context.getSystem().address().toString());
            storage = new FileSystemCheckpointStorage(checkpointSettings.directory().orElseThrow(), announced.jobId());
            Path resultFile = storage.jobDirectory().resolve(RESULT_FILE);
            if (Files.exists(resultFile)) {
                StoredResult stored = new ObjectMapper().readValue(resultFile.toFile(), StoredResult.class);
                context.getLog().info("Job {} has ended ({}); its master answers with the stored result", announced.jobId(),
                        stored.ended().status());
                return ended(context, stored, List.of());
            }
            ExecutionPlan plan = ExecutionPlan.of(job.graph());
            long floor = highestCheckpointDirectory(storage.jobDirectory());
            if (floor > 0) {
                deleteUnfinishedCheckpoints(storage.jobDirectory(), context.getLog());
            }
            Optional<RestoredCheckpoint> restore = RestoredCheckpoint.findLatest(storage, plan, false);
            restore.ifPresent(r -> context.getLog().info("The master of job {} starts on {} from checkpoint {}",
                    announced.jobId(), context.getSystem().address(), r.checkpointId()));
            MetricsRegistry metrics = new MetricsRegistry();
            metrics.listen(new MetricsRegistry.Listener() {
                @Override
                public void onCheckpoint(CheckpointStats stats) {
                    context.getSelf().tell(new Observed(new CheckpointEnded(stats)));
                }

                @Override
                public void onFailure(JobAttemptFailure failure) {
                    context.getSelf().tell(new Observed(new AttemptFailed(failure.attempt(), failure.time().toEpochMilli(),
                            failure.operatorName(), failure.subtaskIndex(), failure.cause().getClass().getName(),
                            String.valueOf(failure.cause().getMessage()), failure.restarted())));
                }
            });
            CompletableFuture<JobOutcome> outcome = new CompletableFuture<>();
            CompletableFuture<Done> terminated = new CompletableFuture<>();
            Optional<DeploymentProtocol.RestoreSource> source = restore.map(r ->
                    new DeploymentProtocol.RestoreSource(r.checkpointId(), Optional.empty(), false));
            ActorRef<JobMasterActor.Command> master = context.spawn(JobLogContext.job(announced.jobName()).around(
                    JobMasterActor.Command.class, JobMasterActor.create(
                    restore.map(RestoredCheckpoint::plan).orElse(plan), job.runtimeSettingsOn(context.getSystem()),
                    checkpointSettings, storage, restore, outcome, terminated, metrics,
                    Optional.of(new ClusterTarget(announced.jobName(), announced.parameters(), announced.jobId(), source,
                            floor == 0 ? 0 : floor + CHECKPOINT_ID_MARGIN, job.slotWaitTimeout())))), "job");
            context.pipeToSelf(outcome.thenCombine(terminated, (ended, done) -> ended),
                    (ended, failure) -> new Ended(ended != null ? ended : new JobOutcome.Failed("master", 0, 1, failure)));
            context.scheduleOnce(FIGURES_INTERVAL, context.getSelf(), PublishFigures.INSTANCE);
            return running(context, master, metrics, new HashSet<>(), new java.util.ArrayDeque<>(), resultFile);
        } catch (IOException | RuntimeException e) {
            context.getLog().error("The master of job {} cannot start", announced.jobId(), e);
            JobOutcome.Failed failure = new JobOutcome.Failed("master", 0, 1, e);
            // Stored where the job's directory is seen, so that no later master runs the job with no one following it.
            StoredResult stored = storage == null ? toStored(context, failure) : store(context, failure,
                    storage.jobDirectory().resolve(RESULT_FILE));
            return ended(context, stored, List.of());
        }
    }

    /**
     * How far past the highest checkpoint directory a master that took over starts numbering: a
     * checkpoint its predecessor triggered may have no directory yet (the first write of a subtask
     * makes it), and a late write of the old subtasks may still make one.
     */
    static final long CHECKPOINT_ID_MARGIN = 1000;

    /**
     * Deletes the checkpoint directories without metadata that a lost master left: checkpoints it
     * never completed, which no one else deletes. Completed checkpoints stay.
     */
    static void deleteUnfinishedCheckpoints(Path jobDirectory, org.slf4j.Logger log) {
        try (var entries = Files.list(jobDirectory)) {
            for (Path directory : entries.filter(path -> path.getFileName().toString().matches("chk-\\d{1,18}")).toList()) {
                if (!dev.snapflow.engine.storage.SnapshotDirectory.isComplete(directory)) {
                    new dev.snapflow.engine.storage.SnapshotDirectory(directory).delete();
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Cannot delete the unfinished checkpoints of the lost master in {}", jobDirectory, e);
        }
    }

    /** The highest id of a checkpoint directory in the job's directory, complete or not; 0 if there is none. */
    static long highestCheckpointDirectory(Path jobDirectory) throws IOException {
        try (var entries = Files.list(jobDirectory)) {
            return entries.map(path -> path.getFileName().toString())
                    .filter(name -> name.matches("chk-\\d{1,18}"))
                    .mapToLong(name -> Long.parseLong(name.substring(4)))
                    .max().orElse(0);
        }
    }

    private static StoredResult failed(String operator, Throwable cause) {
        return new StoredResult(new EndedJob("FAILED", 0, List.of(), operator, 0, 1, cause.getClass().getName(),
                String.valueOf(cause.getMessage())), List.of());
    }

    /** Events kept for clients that subscribe late (a handle on another node, or after a master moved). */
    private static final int HISTORY = 200;

    private static Behavior<Command> running(ActorContext<Command> context, ActorRef<JobMasterActor.Command> master,
                                             MetricsRegistry metrics, Set<ActorRef<ClientEvent>> clients,
                                             java.util.Deque<ClientEvent> history, Path resultFile) {
        return Behaviors.receive(Command.class)
                .onMessageEquals(PublishFigures.INSTANCE, () -> {
                    if (!clients.isEmpty()) {
                        FiguresUpdate update = new FiguresUpdate(metrics.figures(context.getSystem().address().toString()));
                        clients.forEach(client -> client.tell(update));
                    }
                    context.scheduleOnce(FIGURES_INTERVAL, context.getSelf(), PublishFigures.INSTANCE);
                    return Behaviors.same();
                })
                .onMessage(Subscribe.class, subscribe -> {
                    clients.add(subscribe.client());
                    subscribe.client().tell(new Subscribed(context.getSelf()));
                    history.forEach(subscribe.client()::tell);
                    return Behaviors.same();
                })
                .onMessage(Observed.class, observed -> {
                    history.addLast(observed.event());
                    if (history.size() > HISTORY) {
                        history.removeFirst();
                    }
                    clients.forEach(client -> client.tell(observed.event()));
                    return Behaviors.same();
                })
                .onMessageEquals(CancelJob.INSTANCE, () -> {
                    master.tell(JobMasterActor.Cancel.INSTANCE);
                    return Behaviors.same();
                })
                .onMessage(RequestCheckpoint.class, request -> {
                    master.tell(new JobMasterActor.TriggerCheckpoint(request.replyTo()));
                    return Behaviors.same();
                })
                .onMessage(RequestSavepoint.class, request -> {
                    master.tell(new JobMasterActor.TriggerSavepoint(new CheckpointCoordinatorActor.RequestSavepoint(
                            Path.of(request.targetDirectory()), request.postAction(), request.replyTo())));
                    return Behaviors.same();
                })
                .onMessage(ListActors.class, request -> {
                    master.tell(new JobMasterActor.ListJobActors(request.replyTo()));
                    return Behaviors.same();
                })
                .onMessage(Ended.class, ended -> {
                    StoredResult stored = store(context, ended.outcome(), resultFile);
                    clients.forEach(client -> tellResult(client, stored));
                    return ended(context, stored, List.copyOf(history));
                })
                .build();
    }

    private static StoredResult store(ActorContext<Command> context, JobOutcome outcome, Path resultFile) {
        StoredResult stored = toStored(context, outcome);
        try {
            Path temp = resultFile.resolveSibling(RESULT_FILE + ".tmp");
            new ObjectMapper().writeValue(temp.toFile(), stored);
            Files.move(temp, resultFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // The handles still get the result; only a failover after this could run the job again.
            context.getLog().error("Cannot store the result of job {} in {}", resultFile.getParent().getFileName(), resultFile, e);
        }
        return stored;
    }

    private static StoredResult toStored(ActorContext<Command> context, JobOutcome outcome) {
        if (outcome instanceof JobOutcome.Finished finished) {
            List<SinkEnd> sinks = new ArrayList<>();
            List<ResultPart> parts = new ArrayList<>();
            InFlightCodec codec = new InFlightCodec(ValueCodec.create(context.getSystem()));
            int maxPart = ChannelWireCodec.maxMessageBytes(context.getSystem().settings().config()) - 1024;
            for (Map.Entry<String, JobOutcome.SinkTotal> entry : finished.sinks().entrySet()) {
                JobOutcome.SinkTotal total = entry.getValue();
                sinks.add(new SinkEnd(entry.getKey(), total.records(), total.collected().isPresent()));
                if (total.collected().isPresent()) {
                    try {
                        for (byte[] part : codec.encodeInParts(total.collected().get(), maxPart)) {
                            parts.add(new ResultPart(entry.getKey(), part));
                        }
                    } catch (IOException e) {
                        return failed(entry.getKey(), new IOException("The records sink '" + entry.getKey()
                                + "' collected cannot be sent to the job's handles: " + e.getMessage(), e));
                    }
                }
            }
            return new StoredResult(new EndedJob("FINISHED", finished.duration().toMillis(), sinks, "", 0, 0, "", ""), parts);
        }
        if (outcome instanceof JobOutcome.Failed failed) {
            Throwable cause = failed.cause();
            return new StoredResult(new EndedJob("FAILED", 0, List.of(), failed.operatorName(), failed.subtaskIndex(),
                    failed.parallelism(), cause instanceof RemoteFailure remote ? remote.originalClassName() : cause.getClass().getName(),
                    String.valueOf(cause.getMessage())), List.of());
        }
        return new StoredResult(new EndedJob("CANCELLED", 0, List.of(), "", 0, 0, "", ""), List.of());
    }

    private static void tellResult(ActorRef<ClientEvent> client, StoredResult stored) {
        stored.parts().forEach(client::tell);
        client.tell(new JobEnded(stored.ended()));
    }

    /** The job has ended: the master answers with its result until the cluster stops. */
    private static Behavior<Command> ended(ActorContext<Command> context, StoredResult stored, List<ClientEvent> history) {
        return Behaviors.receive(Command.class)
                .onMessage(Subscribe.class, subscribe -> {
                    subscribe.client().tell(new Subscribed(context.getSelf()));
                    history.forEach(subscribe.client()::tell);
                    tellResult(subscribe.client(), stored);
                    return Behaviors.same();
                })
                .onMessage(RequestCheckpoint.class, request -> {
                    request.replyTo().tell(new CheckpointCoordinatorActor.CheckpointNotTaken("the job has ended"));
                    return Behaviors.same();
                })
                .onMessage(RequestSavepoint.class, request -> {
                    request.replyTo().tell(new CheckpointCoordinatorActor.SavepointFailed("the job has ended"));
                    return Behaviors.same();
                })
                .onMessage(ListActors.class, request -> {
                    request.replyTo().tell(new JobMasterActor.JobActors(List.of()));
                    return Behaviors.same();
                })
                .onMessage(Command.class, ignored -> Behaviors.same())
                .build();
    }
}
