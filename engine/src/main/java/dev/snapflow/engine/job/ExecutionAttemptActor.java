package dev.snapflow.engine.job;

import akka.actor.NoSerializationVerificationNeeded;
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
import dev.snapflow.engine.runtime.JobLogContext;
import dev.snapflow.engine.storage.CheckpointStorage;
import dev.snapflow.engine.storage.TrackingExecutor;
import dev.snapflow.serialization.record.ValueCodec;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.OperatorNode;
import dev.snapflow.engine.runtime.channel.ChannelActor;
import dev.snapflow.engine.runtime.channel.InFlightCodec;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * One attempt to run a job: it spawns a subtask actor per parallel instance of every chain,
 * deploys until all have reported their refs (a behavior of its own), then spawns a channel actor per producer→consumer pair
 * and the checkpoint coordinator, connects the subtasks, and watches everything. When every
 * subtask finished, on the first failure, or when a child stops unexpectedly, it tells the job
 * master how the attempt ended and stops, which stops every actor of the attempt.
 *
 * <p>An attempt of a job on a cluster first places its subtasks on the workers' slots (another
 * behavior, waiting while there are too few), has a host on each chosen member spawn them and,
 * next to each producer, its channels, and watches the hosts instead of the subtasks: a host
 * stops when its member is lost or one of its actors stops, which fails the attempt.
 */
final class ExecutionAttemptActor extends AbstractBehavior<ExecutionAttemptActor.Command> {

    /** From the master, the attempt's own children and adapters: local-only. */
    sealed interface Command extends NoSerializationVerificationNeeded permits ToCoordinator, ListAttemptActors,
            WrappedSubtaskEvent, WrappedCoordinatorEvent, FinalCheckpointEnded, RetryFinalCheckpoint, WrappedHostEvent,
            WorkersListed, SlotsAnswered, RetryPlacement {
    }

    /** A checkpoint or savepoint request for the attempt's coordinator; kept until the coordinator exists. */
    record ToCoordinator(CheckpointCoordinatorActor.Command request) implements Command {
    }

    /** Asks for every subtask, channel and coordinator actor of the attempt. */
    record ListAttemptActors(ActorRef<JobMasterActor.JobActors> replyTo) implements Command {
    }

    private record WrappedSubtaskEvent(SubtaskProtocol.SubtaskEvent event) implements Command {
    }

    private record WrappedCoordinatorEvent(CheckpointProtocol.CoordinatorEvent event) implements Command {
    }

    private record FinalCheckpointEnded(CheckpointCoordinatorActor.CheckpointResult result) implements Command {
    }

    private enum RetryFinalCheckpoint implements Command { INSTANCE }

    private record WrappedHostEvent(DeploymentProtocol.HostEvent event) implements Command {
    }

    private record WorkersListed(Set<ActorRef<DeploymentProtocol.WorkerCommand>> workers)
            implements Command {
    }

    private record SlotsAnswered(ActorRef<DeploymentProtocol.WorkerCommand> worker, int slots)
            implements Command {
    }

    private enum RetryPlacement implements Command { INSTANCE }

    /** How long a worker may take to say what slots it offers; one that does not answer offers none. */
    private static final java.time.Duration SLOTS_QUESTION_TIMEOUT = java.time.Duration.ofSeconds(3);
    /** Channels per request to a host: some 350 bytes each as CBOR, so a request stays far below an Artery frame. */
    private static final int CHANNELS_PER_REQUEST = 200;
    /** How often an attempt that lacks slots looks again. */
    private static final java.time.Duration PLACEMENT_RETRY_INTERVAL = java.time.Duration.ofSeconds(1);

    /**
     * How long the attempt waits before it asks again for a final checkpoint that was not taken:
     * failures that count end the job through the coordinator's tolerance (K8); this keeps any
     * other refusal from turning into a busy loop.
     */
    private static final java.time.Duration FIRST_FINAL_CHECKPOINT_RETRY_DELAY = java.time.Duration.ofMillis(10);
    private static final java.time.Duration MAX_FINAL_CHECKPOINT_RETRY_DELAY = java.time.Duration.ofSeconds(1);
    /** Doubles with each final checkpoint not taken, up to the maximum, so refusals cannot flood anything. */
    private java.time.Duration finalCheckpointRetryDelay = FIRST_FINAL_CHECKPOINT_RETRY_DELAY;

    private final int attempt;
    private final JobLogContext logContext;
    private final ActorRef<JobMasterActor.Command> master;
    private final AtomicLong highestCheckpointId;
    private final CompletableFuture<Void> checkpointsSettled;
    /** The subtasks' state writes, which may outlive them: the attempt is settled once none is left. */
    private final TrackingExecutor subtaskIo;
    /** One per attempt: subtasks write keys and in-flight records with it, channels overtaken records. */
    private final InFlightCodec inFlightCodec;
    /** Completed by the coordinator once it stopped and its own writes and deletions are done. */
    private final CompletableFuture<Void> coordinatorSettled = new CompletableFuture<>();
    private final ExecutionPlan plan;
    private final RuntimeSettings settings;
    private final CheckpointSettings checkpointSettings;
    private final CheckpointStorage storage;
    private final Optional<RestoredCheckpoint> restore;
    /** Present for a job on a cluster: its subtasks and channels run on hosts that the members' workers start. */
    private final Optional<ClusterTarget> cluster;
    private Placement<ActorRef<DeploymentProtocol.WorkerCommand>> placement;
    private final List<Placement.Offer<ActorRef<DeploymentProtocol.WorkerCommand>>> offers = new ArrayList<>();
    private int workersAsked;
    private final Map<ActorRef<DeploymentProtocol.WorkerCommand>, ActorRef<DeploymentProtocol.HostCommand>> hosts = new HashMap<>();
    private final Map<ActorRef<DeploymentProtocol.HostCommand>, String> hostNodes = new HashMap<>();
    /** Per host asked for channels (by its index in {@link #channelRequests}): what was asked, in order. */
    private final List<ChannelRequest> channelRequests = new ArrayList<>();
    private int channelAnswers;
    /** The channels, by consumer (in input order) and by producer (by edge, then target). */
    private final Map<SubtaskId, List<ActorRef<ChannelProtocol.ChannelCommand>>> channelInputs = new HashMap<>();
    private final Map<SubtaskId, Map<Integer, List<ActorRef<ChannelProtocol.ChannelCommand>>>> channelOutputs = new HashMap<>();
    /** By producer and edge, the targets whose consumers run on another node. */
    private final Map<SubtaskId, Map<Integer, Set<Integer>>> targetsAcrossNodes = new HashMap<>();
    /** Records of collecting sinks that came in parts from subtasks on other nodes, by subtask and sink. */
    private final Map<SubtaskId, Map<String, List<Object>>> collectedParts = new HashMap<>();
    /** A warning about missing slots, at most every ten seconds. */
    private final dev.snapflow.engine.checkpoint.RepeatedWarnings slotWarnings =
            new dev.snapflow.engine.checkpoint.RepeatedWarnings(java.util.concurrent.TimeUnit.SECONDS.toNanos(10), System::nanoTime);
    /** Null while the attempt deploys. */
    private ActorRef<CheckpointCoordinatorActor.Command> coordinator;
    private final MetricsRegistry metrics;
    private boolean ended;
    private final long startNanos = System.nanoTime();
    private final Map<SubtaskId, ActorRef<SubtaskActor.Command>> subtasks = new HashMap<>();
    private final Map<SubtaskId, SubtaskProtocol.SubtaskStarted> started = new HashMap<>();
    private final List<ActorRef<ChannelProtocol.ChannelCommand>> channels = new ArrayList<>();
    private final JobResults results;
    /** Finished subtasks whose transactional sinks wait for a checkpoint to commit their last output. */
    private final Set<SubtaskId> awaitingCommit = new HashSet<>();
    private boolean allFinished;

    private ExecutionAttemptActor(ActorContext<Command> context, int attempt, ActorRef<JobMasterActor.Command> master,
                                  AtomicLong highestCheckpointId, CompletableFuture<Void> checkpointsSettled,
                                  ExecutionPlan plan, RuntimeSettings settings,
                                  CheckpointSettings checkpointSettings, CheckpointStorage storage,
                                  Optional<RestoredCheckpoint> restore, MetricsRegistry metrics, Optional<ClusterTarget> cluster) {
        super(context);
        this.cluster = cluster;
        this.attempt = attempt;
        this.logContext = JobLogContext.job(plan.graph().name()).attempt(attempt);
        this.master = master;
        this.highestCheckpointId = highestCheckpointId;
        this.checkpointsSettled = checkpointsSettled;
        this.inFlightCodec = new InFlightCodec(ValueCodec.create(context.getSystem()));
        this.subtaskIo = new TrackingExecutor(context.getSystem().dispatchers().lookup(DispatcherSelector.blocking()));
        coordinatorSettled.thenCompose(done -> subtaskIo.whenIdle()).thenRun(() -> checkpointsSettled.complete(null));
        this.restore = restore;
        this.plan = plan;
        this.settings = settings;
        this.checkpointSettings = checkpointSettings;
        this.storage = storage;
        this.metrics = metrics;
        this.results = new JobResults(plan);
    }

    /**
     * @param attempt             the attempt's number, from 1; reported back with its end
     * @param master              told once, with {@link JobMasterActor.AttemptEnded}, how the attempt ended
     * @param highestCheckpointId the highest checkpoint id the job triggered or started from; the next one is above it
     * @param checkpointsSettled  completed once the attempt has stopped and its checkpoint writes are done
     * @param restore             the checkpoint to start from, already checked against {@code plan}; empty to start fresh
     */
    static Behavior<Command> create(int attempt, ActorRef<JobMasterActor.Command> master, AtomicLong highestCheckpointId,
                                    CompletableFuture<Void> checkpointsSettled, ExecutionPlan plan, RuntimeSettings settings, CheckpointSettings checkpointSettings,
                                    CheckpointStorage storage, Optional<RestoredCheckpoint> restore, MetricsRegistry metrics,
                                    Optional<ClusterTarget> cluster) {
        return Behaviors.setup(context -> {
            // Named here: the MDC interceptor around the behavior hides the class from Akka's detection.
            context.setLoggerName(ExecutionAttemptActor.class);
            return Behaviors.withStash(STASH_CAPACITY, stash -> {
                ExecutionAttemptActor actor = new ExecutionAttemptActor(context, attempt, master, highestCheckpointId,
                        checkpointsSettled, plan,
                        settings, checkpointSettings, storage, restore, metrics, cluster);
                if (cluster.isPresent()) {
                    actor.findWorkers();
                    return actor.placing(stash);
                }
                actor.spawnSubtasks();
                return actor.deploying(stash);
            });
        });
    }

    /** The subtasks of one host asked for channels, and the channels asked for, in order. */
    private record ChannelRequest(ActorRef<DeploymentProtocol.HostCommand> host, List<ChannelSlot> slots) {
    }

    /** Where a channel asked for goes once it exists. */
    private record ChannelSlot(int edgeId, SubtaskId producer, int target, SubtaskId consumer, int consumerChannel, String name) {
    }

    private void findWorkers() {
        ActorRef<akka.actor.typed.receptionist.Receptionist.Listing> listings = getContext().messageAdapter(
                akka.actor.typed.receptionist.Receptionist.Listing.class,
                listing -> new WorkersListed(listing.getServiceInstances(DeploymentProtocol.WORKER_KEY)));
        getContext().getSystem().receptionist().tell(
                akka.actor.typed.receptionist.Receptionist.find(DeploymentProtocol.WORKER_KEY, listings));
    }

    /**
     * A cluster attempt finds the workers, asks what slots they offer, and places its subtasks;
     * while the cluster offers fewer slots than the job needs, it waits and says so.
     */
    private Behavior<Command> placing(akka.actor.typed.javadsl.StashBuffer<Command> stash) {
        return whileDeploying(Behaviors.receive(Command.class)
                .onMessage(WorkersListed.class, listed -> {
                    offers.clear();
                    workersAsked = listed.workers().size();
                    if (workersAsked == 0) {
                        return lackSlots();
                    }
                    for (ActorRef<DeploymentProtocol.WorkerCommand> worker : listed.workers()) {
                        getContext().ask(DeploymentProtocol.SlotsOffered.class, worker, SLOTS_QUESTION_TIMEOUT,
                                DeploymentProtocol.DescribeSlots::new,
                                (offered, failure) -> new SlotsAnswered(worker, offered == null ? 0 : offered.slots()));
                    }
                    return Behaviors.same();
                })
                .onMessage(SlotsAnswered.class, answered -> {
                    offers.add(new Placement.Offer<>(answered.worker(), answered.slots()));
                    if (offers.size() < workersAsked) {
                        return Behaviors.same();
                    }
                    offers.sort(java.util.Comparator.comparing(offer -> offer.worker().path().toString()));
                    Optional<Placement<ActorRef<DeploymentProtocol.WorkerCommand>>> placed = Placement.place(plan, offers);
                    if (placed.isEmpty()) {
                        return lackSlots();
                    }
                    placement = placed.get();
                    deployParts();
                    return deploying(stash);
                })
                .onMessageEquals(RetryPlacement.INSTANCE, () -> {
                    findWorkers();
                    return Behaviors.same();
                })
                .onSignal(PostStop.class, signal -> onPostStop()), stash);
    }

    /**
     * The rest of a behavior while the attempt deploys: it lists what exists of it on request and
     * keeps every other message until it runs.
     */
    private Behavior<Command> whileDeploying(akka.actor.typed.javadsl.BehaviorBuilder<Command> builder,
                                             akka.actor.typed.javadsl.StashBuffer<Command> stash) {
        return builder
                .onMessage(ListAttemptActors.class, request -> {
                    onListJobActors(request);
                    return Behaviors.same();
                })
                .onMessage(Command.class, message -> {
                    stash.stash(message);
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> lackSlots() {
        int offered = offers.stream().mapToInt(Placement.Offer::slots).sum();
        Optional<java.time.Duration> timeout = cluster.orElseThrow().slotWaitTimeout();
        if (timeout.isPresent() && System.nanoTime() - startNanos >= timeout.get().toNanos()) {
            return end(new JobOutcome.Failed(plan.graph().name(), 0, 1, new InsufficientSlotsException("Job '"
                    + plan.graph().name() + "' needs " + Placement.slotsNeeded(plan) + " free task slots, but the cluster"
                    + " offered " + offered + " on " + offers.size() + " nodes for " + timeout.get().toMillis()
                    + " ms; start more nodes, raise snapflow.cluster.slots, or lower the job's parallelism")));
        }
        if (slotWarnings.shouldLog("slots").isPresent()) {
            getContext().getLog().warn("Job {} waits for task slots: it needs {}, the cluster offers {} on {} nodes",
                    plan.graph().name(), Placement.slotsNeeded(plan), offered, offers.size());
        }
        getContext().scheduleOnce(PLACEMENT_RETRY_INTERVAL, getContext().getSelf(), RetryPlacement.INSTANCE);
        return Behaviors.same();
    }

    private void deployParts() {
        ClusterTarget target = cluster.orElseThrow();
        ActorRef<SubtaskProtocol.SubtaskEvent> events =
                getContext().messageAdapter(SubtaskProtocol.SubtaskEvent.class, WrappedSubtaskEvent::new);
        ActorRef<DeploymentProtocol.HostEvent> hostEvents =
                getContext().messageAdapter(DeploymentProtocol.HostEvent.class, WrappedHostEvent::new);
        Map<String, Integer> maxParallelism = new HashMap<>();
        plan.graph().operators().forEach(node -> maxParallelism.put(node.uid(), node.maxParallelism()));
        // A worker whose node is lost before its host started would otherwise leave the attempt waiting.
        placement.subtasksByWorker().keySet().forEach(getContext()::watch);
        placement.subtasksByWorker().forEach((worker, part) -> worker.tell(new DeploymentProtocol.DeployPart(
                target.jobName(), target.parameters(), target.jobId(), attempt, part, maxParallelism, target.restore(),
                events, hostEvents, getContext().getSelf())));
        getContext().getLog().info("Attempt {} of job {} places {} subtasks on {} nodes: {}", attempt, plan.graph().name(),
                placement.workers().size(), placement.subtasksByWorker().size(), placement.load().values());
    }

    private int expectedSubtasks() {
        return plan.chains().stream().mapToInt(ExecutionPlan.Chain::parallelism).sum();
    }

    private boolean deployed() {
        return started.size() == expectedSubtasks()
                && (cluster.isEmpty() || hosts.size() == placement.subtasksByWorker().size());
    }

    /** Checkpoint and savepoint requests that may arrive while the attempt deploys. */
    private static final int STASH_CAPACITY = 1000;

    /**
     * The attempt deploys: it waits for every subtask to report its refs, keeping checkpoint
     * requests until the coordinator exists; then it connects the job and runs.
     */
    private Behavior<Command> deploying(akka.actor.typed.javadsl.StashBuffer<Command> stash) {
        return whileDeploying(Behaviors.receive(Command.class)
                .onMessage(WrappedSubtaskEvent.class, wrapped -> {
                    if (wrapped.event() instanceof SubtaskProtocol.SubtaskStarted subtaskStarted) {
                        started.put(subtaskStarted.subtask(), subtaskStarted);
                        return deployed() ? connect(stash) : Behaviors.same();
                    }
                    return onSubtaskEvent(wrapped); // a subtask that failed while it started
                })
                .onMessage(WrappedHostEvent.class, wrapped -> {
                    if (wrapped.event() instanceof DeploymentProtocol.HostStarted hostStarted) {
                        ActorRef<DeploymentProtocol.HostCommand> host = hostStarted.host();
                        getContext().watch(host);
                        hostNodes.put(host, hostStarted.node());
                        hosts.put(workerOfHost(host), host);
                        return deployed() ? connect(stash) : Behaviors.same();
                    }
                    return onHostEvent(wrapped);
                })
                .onSignal(Terminated.class, this::onChildTerminated)
                .onSignal(PostStop.class, signal -> onPostStop()), stash);
    }

    /** Reports how the attempt ended, once, and stops it with every actor in it. */
    private Behavior<Command> end(JobOutcome outcome) {
        if (!ended) {
            ended = true;
            master.tell(new JobMasterActor.AttemptEnded(attempt, outcome));
        }
        return Behaviors.stopped();
    }

    private void spawnSubtasks() {
        ActorRef<SubtaskProtocol.SubtaskEvent> events =
                getContext().messageAdapter(SubtaskProtocol.SubtaskEvent.class, WrappedSubtaskEvent::new);
        Props props = settings.subtaskProps();
        for (ExecutionPlan.Chain chain : plan.chains()) {
            for (int i = 0; i < chain.parallelism(); i++) {
                SubtaskId id = new SubtaskId(chain.id(), i);
                SubtaskMetrics subtaskMetrics = new SubtaskMetrics(plan.subtaskName(id));
                metrics.add(subtaskMetrics);
                ActorRef<SubtaskActor.Command> ref = getContext().spawn(
                        logContext.subtask(plan, id).around(
                                SubtaskActor.Command.class,
                                SubtaskActor.create(plan, id, new SubtaskActor.Environment(settings, checkpointSettings, storage,
                                        subtaskMetrics, events, subtaskIo, inFlightCodec))),
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
                .onMessage(WrappedHostEvent.class, this::onHostEvent)
                .onMessage(ListAttemptActors.class, this::onListJobActors)
                .onMessage(ToCoordinator.class, this::onToCoordinator)
                .onMessage(WrappedCoordinatorEvent.class, this::onCoordinatorEvent)
                .onMessage(FinalCheckpointEnded.class, this::onFinalCheckpointEnded)
                .onMessageEquals(RetryFinalCheckpoint.INSTANCE, this::onRetryFinalCheckpoint)
                .onSignal(Terminated.class, this::onChildTerminated)
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }


    private SubtaskProtocol.SubtaskFinished withCollectedParts(SubtaskProtocol.SubtaskFinished finished) {
        Map<String, List<Object>> parts = collectedParts.remove(finished.subtask());
        if (parts == null) {
            return finished;
        }
        List<SubtaskProtocol.SinkResult> sinks = new ArrayList<>();
        for (SubtaskProtocol.SinkResult sink : finished.sinks()) {
            List<Object> collected = parts.get(sink.operatorName());
            sinks.add(collected == null ? sink : new SubtaskProtocol.SinkResult(sink.operatorName(), sink.records(),
                    Optional.of(collected)));
        }
        return new SubtaskProtocol.SubtaskFinished(finished.subtask(), sinks, finished.awaitsCommit());
    }

    /** The worker that started {@code host}: hosts are its children. */
    private ActorRef<DeploymentProtocol.WorkerCommand> workerOfHost(ActorRef<DeploymentProtocol.HostCommand> host) {
        akka.actor.ActorPath workerPath = host.path().parent();
        return placement.subtasksByWorker().keySet().stream().filter(worker -> worker.path().equals(workerPath)).findFirst()
                .orElseThrow(() -> new IllegalStateException("Host " + host + " belongs to no worker of the placement"));
    }

    private Behavior<Command> onHostEvent(WrappedHostEvent wrapped) {
        if (wrapped.event() instanceof DeploymentProtocol.PartFigures figures) {
            metrics.putRemote(figures.node(), figures);
            return Behaviors.same();
        }
        if (wrapped.event() instanceof DeploymentProtocol.DeployFailed failed) {
            return end(new JobOutcome.Failed(plan.graph().name(), 0, 1, new IllegalStateException(
                    "Node " + failed.node() + " cannot run its part of the job: " + failed.reason())));
        }
        throw new IllegalStateException("Unexpected " + wrapped.event() + " from a host of attempt " + attempt);
    }

    private Behavior<Command> connect(akka.actor.typed.javadsl.StashBuffer<Command> stash) {
        if (cluster.isEmpty()) {
            connect();
            return stash.unstashAll(this);
        }
        spawnCoordinator();
        requestChannels();
        if (channelRequests.isEmpty()) {
            connectHosts();
            return stash.unstashAll(this);
        }
        return connecting(stash);
    }

    /** Asks each producer's host to spawn the producer's channels, next to it. */
    private void requestChannels() {
        Map<ActorRef<DeploymentProtocol.HostCommand>, List<DeploymentProtocol.ChannelSpec>> specs = new java.util.LinkedHashMap<>();
        Map<ActorRef<DeploymentProtocol.HostCommand>, List<ChannelSlot>> slots = new HashMap<>();
        for (ChannelSlot slot : channelSlots()) {
            ActorRef<DeploymentProtocol.WorkerCommand> producerWorker = placement.workerOf(slot.producer());
            ActorRef<DeploymentProtocol.HostCommand> host = hosts.get(producerWorker);
            specs.computeIfAbsent(host, h -> new ArrayList<>()).add(new DeploymentProtocol.ChannelSpec(slot.name(), slot.edgeId(),
                    slot.target(), started.get(slot.consumer()).consumerRef(), slot.consumerChannel(),
                    started.get(slot.producer()).producerRef(), !placement.workerOf(slot.consumer()).equals(producerWorker)));
            slots.computeIfAbsent(host, h -> new ArrayList<>()).add(slot);
        }
        specs.forEach((host, hostSpecs) -> {
            // In parts, each well under an Artery frame: a wide job has many channels per host.
            for (int from = 0; from < hostSpecs.size(); from += CHANNELS_PER_REQUEST) {
                int to = Math.min(hostSpecs.size(), from + CHANNELS_PER_REQUEST);
                channelRequests.add(new ChannelRequest(host, slots.get(host).subList(from, to)));
                host.tell(new DeploymentProtocol.SpawnChannels(channelRequests.size() - 1, hostSpecs.subList(from, to)));
            }
        });
    }

    /** Waits for the hosts' channels, then connects the subtasks. */
    private Behavior<Command> connecting(akka.actor.typed.javadsl.StashBuffer<Command> stash) {
        return whileDeploying(Behaviors.receive(Command.class)
                .onMessage(WrappedHostEvent.class, wrapped -> {
                    if (!(wrapped.event() instanceof DeploymentProtocol.ChannelsSpawned spawned)) {
                        return onHostEvent(wrapped);
                    }
                    ChannelRequest request = channelRequests.get(spawned.request());
                    for (int i = 0; i < request.slots().size(); i++) {
                        placeChannel(request.slots().get(i), spawned.channels().get(i));
                    }
                    if (++channelAnswers < channelRequests.size()) {
                        return Behaviors.same();
                    }
                    connectHosts();
                    return stash.unstashAll(this);
                })
                .onMessage(WrappedSubtaskEvent.class, this::onSubtaskEvent)
                .onSignal(Terminated.class, this::onChildTerminated)
                .onSignal(PostStop.class, signal -> onPostStop()), stash);
    }


    private void placeChannel(ChannelSlot slot, ActorRef<ChannelProtocol.ChannelCommand> channel) {
        channels.add(channel);
        if (placement != null && !placement.workerOf(slot.producer()).equals(placement.workerOf(slot.consumer()))) {
            targetsAcrossNodes.computeIfAbsent(slot.producer(), id -> new HashMap<>())
                    .computeIfAbsent(slot.edgeId(), id -> new java.util.HashSet<>()).add(slot.target());
        }
        List<ActorRef<ChannelProtocol.ChannelCommand>> inputs = channelInputs.computeIfAbsent(slot.consumer(), id -> new ArrayList<>());
        while (inputs.size() <= slot.consumerChannel()) {
            inputs.add(null);
        }
        inputs.set(slot.consumerChannel(), channel);
        List<ActorRef<ChannelProtocol.ChannelCommand>> outputs = channelOutputs
                .computeIfAbsent(slot.producer(), id -> new HashMap<>()).computeIfAbsent(slot.edgeId(), id -> new ArrayList<>());
        while (outputs.size() <= slot.target()) {
            outputs.add(null);
        }
        outputs.set(slot.target(), channel);
    }

    private void connectHosts() {
        placement.subtasksByWorker().forEach((worker, part) -> {
            for (SubtaskId id : part) { // one subtask per message: a wide job's connections would not fit one frame
                hosts.get(worker).tell(new DeploymentProtocol.Connect(List.of(new DeploymentProtocol.SubtaskConnection(id,
                        channelInputs.getOrDefault(id, List.of()), channelOutputs.getOrDefault(id, Map.of()),
                        targetsAcrossNodes.getOrDefault(id, Map.of()))), coordinator));
            }
        });
    }

    private Behavior<Command> onSubtaskEvent(WrappedSubtaskEvent wrapped) {
        SubtaskProtocol.SubtaskEvent event = wrapped.event();
        if (event instanceof SubtaskProtocol.SubtaskStarted) {
            throw new IllegalStateException("A subtask of a running attempt reported its start again: " + event);
        }
        if (event instanceof SubtaskProtocol.CollectedPart part) {
            try {
                collectedParts.computeIfAbsent(part.subtask(), id -> new HashMap<>())
                        .computeIfAbsent(part.sinkName(), name -> new ArrayList<>())
                        .addAll(inFlightCodec.decode(part.records(), "collected by sink '" + part.sinkName() + "'"));
            } catch (java.io.IOException e) {
                return end(new JobOutcome.Failed(part.sinkName(), part.subtask().subtaskIndex(),
                        plan.chains().get(part.subtask().chainId()).parallelism(), e));
            }
            return this;
        }
        if (event instanceof SubtaskProtocol.SubtaskFinished reported) {
            SubtaskProtocol.SubtaskFinished finished = withCollectedParts(reported);
            coordinator.tell(new CheckpointCoordinatorActor.SubtaskFinished(finished.subtask()));
            if (finished.awaitsCommit()) {
                awaitingCommit.add(finished.subtask());
            }
            allFinished = results.onFinished(finished);
            if (allFinished && !awaitingCommit.isEmpty()) {
                requestFinalCheckpoint();
            }
            return endIfDone();
        }
        if (event instanceof SubtaskProtocol.OutputCommitted committed) {
            awaitingCommit.remove(committed.subtask());
            return endIfDone();
        }
        SubtaskProtocol.SubtaskFailed failed = (SubtaskProtocol.SubtaskFailed) event;
        ExecutionPlan.Chain chain = plan.chains().get(failed.subtask().chainId());
        return end(new JobOutcome.Failed(failed.operatorName(), failed.subtask().subtaskIndex(),
                chain.parallelism(), failed.cause()));
    }

    /**
     * Every subtask exists: create the checkpoint coordinator and the channels between the
     * subtasks, then tell each subtask its channels and its coordinator.
     */
    private void connect() {
        spawnCoordinator();
        for (ChannelSlot slot : channelSlots()) {
            ChannelMetrics channelMetrics = new ChannelMetrics(slot.name(), settings.channelCapacity());
            metrics.add(channelMetrics);
            // No MDC around channels: they log nothing of their own, and an interceptor would cost on every batch.
            ActorRef<ChannelProtocol.ChannelCommand> channel = getContext().spawn(
                    ChannelActor.create(settings.channelCapacity(), new ChannelActor.Endpoints(
                            started.get(slot.consumer()).consumerRef(), slot.consumerChannel(),
                            started.get(slot.producer()).producerRef(), slot.edgeId(), slot.target()), channelMetrics, inFlightCodec),
                    "channel-" + slot.edgeId() + "-" + slot.producer().subtaskIndex() + "-" + slot.consumer().subtaskIndex());
            getContext().watch(channel);
            placeChannel(slot, channel);
        }
        subtasks.forEach((id, ref) -> ref.tell(new SubtaskActor.ConnectChannels(
                channelInputs.getOrDefault(id, List.of()), channelOutputs.getOrDefault(id, Map.of()), coordinator,
                restore.map(r -> r.states().get(id)))));
    }

    /** Every channel of the job: one per producer subtask and target of each network edge, in edge order. */
    private List<ChannelSlot> channelSlots() {
        List<ChannelSlot> slots = new ArrayList<>();
        for (ExecutionPlan.NetworkEdge edge : plan.networkEdges()) {
            String producerName = plan.graph().operator(edge.producerOperatorId()).name();
            String consumerName = plan.graph().operator(plan.chains().get(edge.consumerChain()).headId()).name();
            for (int producer = 0; producer < edge.producerParallelism(); producer++) {
                for (int target = 0; target < edge.channelsPerProducer(); target++) {
                    int consumer = edge.consumerSubtask(producer, target);
                    slots.add(new ChannelSlot(edge.id(), new SubtaskId(edge.producerChain(), producer), target,
                            new SubtaskId(edge.consumerChain(), consumer), edge.consumerChannelIndex(producer),
                            ExecutionPlan.subtaskName(producerName, producer, edge.producerParallelism()) + " -> "
                                    + ExecutionPlan.subtaskName(consumerName, consumer, edge.consumerParallelism())));
                }
            }
        }
        return slots;
    }

    /**
     * Every subtask finished but transactional sinks hold uncommitted output: the job ends only
     * after a checkpoint taken now (after every input ended) completed and they committed it.
     */
    private void requestFinalCheckpoint() {
        coordinator.tell(new CheckpointCoordinatorActor.RequestCheckpoint(
                getContext().messageAdapter(CheckpointCoordinatorActor.CheckpointResult.class, FinalCheckpointEnded::new)));
    }

    private Behavior<Command> onFinalCheckpointEnded(FinalCheckpointEnded ended) {
        if (ended.result() instanceof CheckpointCoordinatorActor.CheckpointNotTaken notTaken && !awaitingCommit.isEmpty()) {
            getContext().getLog().info("The final checkpoint of job {} was not taken ({}); trying again in {} ms",
                    plan.graph().name(), notTaken.reason(), finalCheckpointRetryDelay.toMillis());
            getContext().scheduleOnce(finalCheckpointRetryDelay, getContext().getSelf(), RetryFinalCheckpoint.INSTANCE);
            java.time.Duration doubled = finalCheckpointRetryDelay.multipliedBy(2);
            finalCheckpointRetryDelay = doubled.compareTo(MAX_FINAL_CHECKPOINT_RETRY_DELAY) > 0 ? MAX_FINAL_CHECKPOINT_RETRY_DELAY : doubled;
        }
        return this;
    }

    private Behavior<Command> onRetryFinalCheckpoint() {
        if (!awaitingCommit.isEmpty()) {
            requestFinalCheckpoint();
        }
        return this;
    }

    private Behavior<Command> endIfDone() {
        if (allFinished && awaitingCommit.isEmpty()) {
            return end(results.finished(java.time.Duration.ofNanos(System.nanoTime() - startNanos)));
        }
        return this;
    }

    private void spawnCoordinator() {
        Map<SubtaskId, ActorRef<CheckpointProtocol.SubtaskCheckpointCommand>> checkpointRefs = new HashMap<>();
        Map<SubtaskId, String> names = new HashMap<>();
        Set<SubtaskId> sources = new HashSet<>();
        started.forEach((id, subtaskStarted) -> {
            checkpointRefs.put(id, subtaskStarted.checkpointRef());
            ExecutionPlan.Chain chain = plan.chains().get(id.chainId());
            OperatorNode head = plan.graph().operator(chain.headId());
            names.put(id, plan.subtaskName(id));
            if (head.isSource()) {
                sources.add(id);
            }
        });
        ActorRef<CheckpointProtocol.CoordinatorEvent> events =
                getContext().messageAdapter(CheckpointProtocol.CoordinatorEvent.class, WrappedCoordinatorEvent::new);
        coordinator = getContext().spawn(logContext.around(CheckpointCoordinatorActor.Command.class,
                CheckpointCoordinatorActor.create(logContext, checkpointSettings,
                        checkpointRefs, sources, names, storage, events, highestCheckpointId, coordinatorSettled)),
                "checkpoint-coordinator");
        getContext().watch(coordinator);
    }

    private Behavior<Command> onToCoordinator(ToCoordinator forward) {
        coordinator.tell(forward.request());
        return this;
    }

    private Behavior<Command> onCoordinatorEvent(WrappedCoordinatorEvent wrapped) {
        if (wrapped.event() instanceof CheckpointProtocol.CheckpointFinished finished) {
            metrics.add(finished.stats());
            return this;
        }
        if (wrapped.event() instanceof CheckpointProtocol.StoppedWithSavepoint stopped) {
            master.tell(new JobMasterActor.StoppedWithSavepoint(attempt, stopped.checkpointId(), stopped.directory()));
            return this;
        }
        CheckpointProtocol.FailJob failJob = (CheckpointProtocol.FailJob) wrapped.event();
        return end(new JobOutcome.Failed("checkpoint-coordinator", 0, 1, new IllegalStateException(failJob.message())));
    }

    private Behavior<Command> onListJobActors(ListAttemptActors request) {
        List<ActorRef<?>> actors = new ArrayList<>(subtasks.values());
        actors.addAll(hosts.values());
        actors.addAll(channels);
        if (coordinator != null) {
            actors.add(coordinator);
        }
        request.replyTo().tell(new JobMasterActor.JobActors(actors));
        return this;
    }

    private Behavior<Command> onChildTerminated(Terminated terminated) {
        String node = hostNodes.get(terminated.getRef());
        if (node == null && placement != null && placement.subtasksByWorker().containsKey(terminated.getRef())) {
            node = terminated.getRef().path().address().toString();
        }
        if (node != null) {
            return end(new JobOutcome.Failed(plan.graph().name(), 0, 1, new IllegalStateException("The subtasks on node "
                    + node + " stopped: the node left the cluster, or one of its subtasks or channels stopped unexpectedly")));
        }
        String child = terminated.getRef().path().name();
        return end(new JobOutcome.Failed(child, 0, 1,
                new IllegalStateException("Actor " + child + " of the job stopped unexpectedly")));
    }

    private Behavior<Command> onPostStop() {
        if (coordinator == null) {
            coordinatorSettled.complete(null);
        }
        if (!ended) {
            ended = true;
            master.tell(new JobMasterActor.AttemptEnded(attempt, new JobOutcome.Failed(plan.graph().name(), 0, 1,
                    new IllegalStateException("Attempt " + attempt + " stopped before it finished"))));
        }
        return this;
    }

}
