package dev.snapflow.engine.job;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.Props;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointCoordinatorActor;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointProtocol;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.storage.CheckpointStorage;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.OperatorNode;
import dev.snapflow.engine.runtime.channel.ChannelActor;
import dev.snapflow.engine.runtime.channel.ChannelMetrics;
import dev.snapflow.engine.runtime.channel.ChannelProtocol;
import dev.snapflow.engine.runtime.subtask.SubtaskActor;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.runtime.subtask.SubtaskMetrics;
import dev.snapflow.engine.runtime.subtask.SubtaskProtocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The guardian of one job: it spawns a subtask actor per parallel instance of every chain,
 * waits until all have reported their refs, spawns a channel actor per producer→consumer pair,
 * connects the subtasks, and watches everything. It completes the job's outcome when every
 * subtask finished, on the first failure, or on cancel, and then stops, which stops every actor of
 * the job.
 */
public final class JobMasterActor extends AbstractBehavior<JobMasterActor.Command> {

    public sealed interface Command permits Cancel, ListJobActors, TriggerCheckpoint, WrappedSubtaskEvent, WrappedCoordinatorEvent {
    }

    /** Handle → job: take a checkpoint now; the coordinator answers {@code replyTo} when it ended. */
    public record TriggerCheckpoint(ActorRef<CheckpointCoordinatorActor.CheckpointResult> replyTo) implements Command {
    }

    /** Handle → job: stop the job now; the outcome becomes {@link JobOutcome.Cancelled}. */
    public enum Cancel implements Command {
        INSTANCE
    }

    /** Asks for every subtask and channel actor of the job, for tools and tests that watch them. */
    public record ListJobActors(ActorRef<JobActors> replyTo) implements Command {
    }

    /** The reply to {@link ListJobActors}. */
    public record JobActors(List<ActorRef<?>> actors) {
        public JobActors {
            actors = List.copyOf(actors);
        }
    }

    private record WrappedSubtaskEvent(SubtaskProtocol.SubtaskEvent event) implements Command {
    }

    private record WrappedCoordinatorEvent(CheckpointProtocol.CoordinatorEvent event) implements Command {
    }

    private final ExecutionPlan plan;
    private final RuntimeSettings settings;
    private final CheckpointSettings checkpointSettings;
    private final CheckpointStorage storage;
    private final Optional<RestoredCheckpoint> restore;
    private ActorRef<CheckpointCoordinatorActor.Command> coordinator;
    /** Checkpoint requests that arrived while the job was being deployed; sent once the coordinator exists. */
    private final List<TriggerCheckpoint> earlyRequests = new ArrayList<>();
    private final CompletableFuture<JobOutcome> outcome;
    /** Completed in PostStop, which Akka runs after every child has stopped. */
    private final CompletableFuture<Done> terminated;
    private final MetricsRegistry metrics;
    private final long startNanos = System.nanoTime();
    private final Map<SubtaskId, ActorRef<SubtaskActor.Command>> subtasks = new HashMap<>();
    private final Map<SubtaskId, SubtaskProtocol.SubtaskStarted> started = new HashMap<>();
    private final List<ActorRef<ChannelProtocol.ChannelCommand>> channels = new ArrayList<>();
    private final JobResults results;

    private JobMasterActor(ActorContext<Command> context, ExecutionPlan plan, RuntimeSettings settings,
                           CheckpointSettings checkpointSettings, CheckpointStorage storage,
                           Optional<RestoredCheckpoint> restore, CompletableFuture<JobOutcome> outcome,
                           CompletableFuture<Done> terminated, MetricsRegistry metrics) {
        super(context);
        this.restore = restore;
        this.plan = plan;
        this.settings = settings;
        this.checkpointSettings = checkpointSettings;
        this.storage = storage;
        this.outcome = outcome;
        this.terminated = terminated;
        this.metrics = metrics;
        this.results = new JobResults(plan);
    }

    /**
     * @param restore the checkpoint to start from, already checked against {@code plan}; empty to start fresh
     */
    public static Behavior<Command> create(ExecutionPlan plan, RuntimeSettings settings, CheckpointSettings checkpointSettings,
                                           CheckpointStorage storage, Optional<RestoredCheckpoint> restore,
                                           CompletableFuture<JobOutcome> outcome, CompletableFuture<Done> terminated,
                                           MetricsRegistry metrics) {
        return Behaviors.setup(context -> {
            JobMasterActor master = new JobMasterActor(context, plan, settings, checkpointSettings, storage, restore, outcome,
                    terminated, metrics);
            master.spawnSubtasks();
            return master;
        });
    }

    private void spawnSubtasks() {
        ActorRef<SubtaskProtocol.SubtaskEvent> events =
                getContext().messageAdapter(SubtaskProtocol.SubtaskEvent.class, WrappedSubtaskEvent::new);
        Props props = settings.subtaskDispatcher().isEmpty()
                ? Props.empty() : DispatcherSelector.fromConfig(settings.subtaskDispatcher());
        for (ExecutionPlan.Chain chain : plan.chains()) {
            OperatorNode head = plan.graph().operator(chain.headId());
            for (int i = 0; i < chain.parallelism(); i++) {
                SubtaskId id = new SubtaskId(chain.id(), i);
                SubtaskMetrics subtaskMetrics = new SubtaskMetrics(subtaskName(head.name(), i, chain.parallelism()));
                metrics.add(subtaskMetrics);
                ActorRef<SubtaskActor.Command> ref = getContext().spawn(
                        SubtaskActor.create(plan, id, new SubtaskActor.Environment(settings, checkpointSettings, storage,
                                subtaskMetrics, events)),
                        "subtask-" + chain.id() + "-" + i, props);
                getContext().watch(ref);
                subtasks.put(id, ref);
            }
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(WrappedSubtaskEvent.class, this::onSubtaskEvent)
                .onMessageEquals(Cancel.INSTANCE, this::onCancel)
                .onMessage(ListJobActors.class, this::onListJobActors)
                .onMessage(TriggerCheckpoint.class, this::onTriggerCheckpoint)
                .onMessage(WrappedCoordinatorEvent.class, this::onCoordinatorEvent)
                .onSignal(Terminated.class, this::onChildTerminated)
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    private Behavior<Command> onSubtaskEvent(WrappedSubtaskEvent wrapped) {
        SubtaskProtocol.SubtaskEvent event = wrapped.event();
        if (event instanceof SubtaskProtocol.SubtaskStarted subtaskStarted) {
            started.put(subtaskStarted.subtask(), subtaskStarted);
            if (started.size() == subtasks.size()) {
                connect();
            }
            return this;
        }
        if (event instanceof SubtaskProtocol.SubtaskFinished finished) {
            coordinator.tell(new CheckpointCoordinatorActor.SubtaskFinished(finished.subtask()));
            if (results.onFinished(finished)) {
                outcome.complete(results.finished(java.time.Duration.ofNanos(System.nanoTime() - startNanos)));
                return Behaviors.stopped();
            }
            return this;
        }
        SubtaskProtocol.SubtaskFailed failed = (SubtaskProtocol.SubtaskFailed) event;
        ExecutionPlan.Chain chain = plan.chains().get(failed.subtask().chainId());
        outcome.complete(new JobOutcome.Failed(failed.operatorName(), failed.subtask().subtaskIndex(),
                chain.parallelism(), failed.cause()));
        return Behaviors.stopped();
    }

    /**
     * Every subtask exists: create the checkpoint coordinator and the channels between the
     * subtasks, then tell each subtask its channels and its coordinator.
     */
    private void connect() {
        spawnCoordinator();
        Map<SubtaskId, List<ActorRef<ChannelProtocol.ChannelCommand>>> inputs = new HashMap<>();
        Map<SubtaskId, Map<Integer, List<ActorRef<ChannelProtocol.ChannelCommand>>>> outputs = new HashMap<>();
        for (ExecutionPlan.NetworkEdge edge : plan.networkEdges()) {
            String producerName = plan.graph().operator(edge.producerOperatorId()).name();
            String consumerName = plan.graph().operator(plan.chains().get(edge.consumerChain()).headId()).name();
            for (int producer = 0; producer < edge.producerParallelism(); producer++) {
                SubtaskId producerId = new SubtaskId(edge.producerChain(), producer);
                List<ActorRef<ChannelProtocol.ChannelCommand>> targets = new ArrayList<>();
                for (int target = 0; target < edge.channelsPerProducer(); target++) {
                    int consumer = edge.consumerSubtask(producer, target);
                    SubtaskId consumerId = new SubtaskId(edge.consumerChain(), consumer);
                    int consumerChannel = edge.consumerChannelIndex(producer);
                    ChannelMetrics channelMetrics = new ChannelMetrics(
                            subtaskName(producerName, producer, edge.producerParallelism()) + " -> "
                                    + subtaskName(consumerName, consumer, edge.consumerParallelism()),
                            settings.channelCapacity());
                    metrics.add(channelMetrics);
                    ActorRef<ChannelProtocol.ChannelCommand> channel = getContext().spawn(
                            ChannelActor.create(settings.channelCapacity(), new ChannelActor.Endpoints(
                                    started.get(consumerId).consumerRef(), consumerChannel,
                                    started.get(producerId).producerRef(), edge.id(), target), channelMetrics),
                            "channel-" + edge.id() + "-" + producer + "-" + consumer);
                    getContext().watch(channel);
                    channels.add(channel);
                    targets.add(channel);
                    List<ActorRef<ChannelProtocol.ChannelCommand>> consumerInputs =
                            inputs.computeIfAbsent(consumerId, id -> new ArrayList<>());
                    while (consumerInputs.size() <= consumerChannel) {
                        consumerInputs.add(null);
                    }
                    consumerInputs.set(consumerChannel, channel);
                }
                outputs.computeIfAbsent(producerId, id -> new HashMap<>()).put(edge.id(), targets);
            }
        }
        subtasks.forEach((id, ref) -> ref.tell(new SubtaskActor.ConnectChannels(
                inputs.getOrDefault(id, List.of()), outputs.getOrDefault(id, Map.of()), coordinator,
                restore.map(r -> r.states().get(id)))));
    }

    private void spawnCoordinator() {
        Map<SubtaskId, ActorRef<CheckpointProtocol.SubtaskCheckpointCommand>> checkpointRefs = new HashMap<>();
        Map<SubtaskId, String> names = new HashMap<>();
        Set<SubtaskId> sources = new HashSet<>();
        started.forEach((id, subtaskStarted) -> {
            checkpointRefs.put(id, subtaskStarted.checkpointRef());
            ExecutionPlan.Chain chain = plan.chains().get(id.chainId());
            OperatorNode head = plan.graph().operator(chain.headId());
            names.put(id, subtaskName(head.name(), id.subtaskIndex(), chain.parallelism()));
            if (head.isSource()) {
                sources.add(id);
            }
        });
        ActorRef<CheckpointProtocol.CoordinatorEvent> events =
                getContext().messageAdapter(CheckpointProtocol.CoordinatorEvent.class, WrappedCoordinatorEvent::new);
        coordinator = getContext().spawn(CheckpointCoordinatorActor.create(plan.graph().name(), checkpointSettings,
                checkpointRefs, sources, names, storage, events, restore.map(RestoredCheckpoint::checkpointId).orElse(0L) + 1),
                "checkpoint-coordinator");
        getContext().watch(coordinator);
        earlyRequests.forEach(request -> coordinator.tell(new CheckpointCoordinatorActor.RequestCheckpoint(request.replyTo())));
        earlyRequests.clear();
    }

    private Behavior<Command> onTriggerCheckpoint(TriggerCheckpoint request) {
        if (coordinator == null) {
            earlyRequests.add(request);
        } else {
            coordinator.tell(new CheckpointCoordinatorActor.RequestCheckpoint(request.replyTo()));
        }
        return this;
    }

    private Behavior<Command> onCoordinatorEvent(WrappedCoordinatorEvent wrapped) {
        if (wrapped.event() instanceof CheckpointProtocol.CheckpointFinished finished) {
            metrics.add(finished.stats());
            return this;
        }
        CheckpointProtocol.FailJob failJob = (CheckpointProtocol.FailJob) wrapped.event();
        outcome.complete(new JobOutcome.Failed("checkpoint-coordinator", 0, 1, new IllegalStateException(failJob.message())));
        return Behaviors.stopped();
    }

    private Behavior<Command> onCancel() {
        outcome.complete(new JobOutcome.Cancelled());
        return Behaviors.stopped();
    }

    private Behavior<Command> onListJobActors(ListJobActors request) {
        List<ActorRef<?>> actors = new ArrayList<>(subtasks.values());
        actors.addAll(channels);
        if (coordinator != null) {
            actors.add(coordinator);
        }
        request.replyTo().tell(new JobActors(actors));
        return this;
    }

    private Behavior<Command> onChildTerminated(Terminated terminated) {
        String child = terminated.getRef().path().name();
        outcome.complete(new JobOutcome.Failed(child, 0, 1,
                new IllegalStateException("Actor " + child + " of the job stopped unexpectedly")));
        return Behaviors.stopped();
    }

    private Behavior<Command> onPostStop() {
        outcome.complete(new JobOutcome.Failed(plan.graph().name(), 0, 1,
                new IllegalStateException("The job stopped before it finished (was its actor system terminated?)")));
        terminated.complete(Done.getInstance());
        return this;
    }

    static String subtaskName(String operatorName, int index, int parallelism) {
        return operatorName + " (" + (index + 1) + "/" + parallelism + ")";
    }
}
