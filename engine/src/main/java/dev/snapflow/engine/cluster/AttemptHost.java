package dev.snapflow.engine.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.job.DeploymentProtocol;
import dev.snapflow.engine.job.MetricsRegistry;
import dev.snapflow.engine.job.RestoredCheckpoint;
import dev.snapflow.engine.runtime.JobLogContext;
import dev.snapflow.engine.runtime.channel.ChannelActor;
import dev.snapflow.engine.runtime.channel.ChannelMetrics;
import dev.snapflow.engine.runtime.channel.ChannelProtocol;
import dev.snapflow.engine.runtime.channel.ChannelWireCodec;
import dev.snapflow.engine.runtime.channel.InFlightCodec;
import dev.snapflow.engine.runtime.subtask.SubtaskActor;
import dev.snapflow.engine.runtime.subtask.SubtaskMetrics;
import dev.snapflow.engine.state.RestoredState;
import dev.snapflow.engine.storage.FileSystemCheckpointStorage;
import dev.snapflow.engine.storage.SnapshotDirectory;
import dev.snapflow.engine.storage.TrackingExecutor;
import dev.snapflow.serialization.record.ValueCodec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One node's part of one attempt of a cluster job: it builds the job from the definition
 * registered under its name, spawns its subtasks (restored from the shared checkpoint directory),
 * spawns the channels of its producers when the attempt asks, and connects its subtasks. It stops,
 * and with it everything it spawned, when the attempt stops; it stops too when one of its
 * subtasks or channels stops unexpectedly, which the attempt, watching it, takes as a failure.
 */
final class AttemptHost {

    private final ActorContext<DeploymentProtocol.HostCommand> context;
    private final DeploymentProtocol.DeployPart part;
    private final RuntimeSettings settings;
    private final InFlightCodec inFlightCodec;
    private final ChannelWireCodec wireCodec;
    private final Map<SubtaskId, ActorRef<SubtaskActor.Command>> subtasks = new HashMap<>();
    private final Map<SubtaskId, RestoredState> restored;
    /** The figures of this part's subtasks and channels, sent to the attempt every second. */
    private final MetricsRegistry metrics = new MetricsRegistry();
    private final String node;

    private AttemptHost(ActorContext<DeploymentProtocol.HostCommand> context, DeploymentProtocol.DeployPart part,
                        RuntimeSettings settings, Map<SubtaskId, RestoredState> restored, String node) {
        this.context = context;
        this.node = node;
        this.part = part;
        this.settings = settings;
        this.restored = restored;
        this.inFlightCodec = new InFlightCodec(ValueCodec.create(context.getSystem()));
        this.wireCodec = RuntimeMessageSerializer.wireCodec(
                (akka.actor.ExtendedActorSystem) akka.actor.typed.javadsl.Adapter.toClassic(context.getSystem()),
                inFlightCodec.valueCodec());
    }

    static Behavior<DeploymentProtocol.HostCommand> create(DeploymentProtocol.DeployPart part, JobDefinition definition,
                                                           String node) {
        return Behaviors.setup(context -> {
            context.setLoggerName(AttemptHost.class);
            context.watch(part.attemptActor());
            Map<SubtaskId, RestoredState> restored = new HashMap<>();
            try {
                ClusterJob job = definition.define(part.parameters());
                ExecutionPlan plan = ExecutionPlan.of(job.graph().withRestoredMaxParallelism(part.restoredMaxParallelism()));
                for (SubtaskId id : part.subtasks()) {
                    if (id.chainId() >= plan.chains().size() || id.subtaskIndex() >= plan.chains().get(id.chainId()).parallelism()) {
                        throw new IllegalArgumentException("job '" + part.jobName() + "' as defined on this node has no subtask "
                                + id + ": every node must build the same job from the same parameters");
                    }
                }
                CheckpointSettings checkpointSettings = job.checkpointSettingsOn(context.getSystem());
                ClusterJob.sharedJobDirectory(checkpointSettings, part.jobId(), node);
                FileSystemCheckpointStorage storage = new FileSystemCheckpointStorage(checkpointSettings.directory().orElseThrow(), part.jobId());
                if (part.restore().isPresent()) {
                    DeploymentProtocol.RestoreSource source = part.restore().get();
                    RestoredCheckpoint checkpoint = source.savepointDirectory().isPresent()
                            ? RestoredCheckpoint.of(new SnapshotDirectory(Path.of(source.savepointDirectory().get())).readIntact(), plan, false)
                            : RestoredCheckpoint.of(storage, source.checkpointId(), plan, false);
                    if (source.sourcesStopped()) {
                        checkpoint = checkpoint.withSourcesStopped();
                    }
                    for (SubtaskId id : part.subtasks()) {
                        restored.put(id, checkpoint.states().get(id));
                    }
                }
                AttemptHost host = new AttemptHost(context, part, job.runtimeSettingsOn(context.getSystem()), restored, node);
                host.spawnSubtasks(plan, checkpointSettings, storage);
                part.hostEvents().tell(new DeploymentProtocol.HostStarted(context.getSelf(), node));
                return host.running();
            } catch (Exception e) {
                context.getLog().warn("Node {} cannot run its part of attempt {} of job {}", node, part.attempt(), part.jobName(), e);
                part.hostEvents().tell(new DeploymentProtocol.DeployFailed(node, e.toString()));
                return Behaviors.stopped();
            }
        });
    }

    private void spawnSubtasks(ExecutionPlan plan, CheckpointSettings checkpointSettings, FileSystemCheckpointStorage storage) {
        TrackingExecutor io = new TrackingExecutor(context.getSystem().dispatchers().lookup(DispatcherSelector.blocking()));
        Props props = settings.subtaskProps();
        for (SubtaskId id : part.subtasks()) {
            SubtaskMetrics figures = new SubtaskMetrics(plan.subtaskName(id));
            metrics.add(figures);
            ActorRef<SubtaskActor.Command> subtask = context.spawn(JobLogContext.job(part.jobName()).attempt(part.attempt())
                    .subtask(plan, id).around(SubtaskActor.Command.class, SubtaskActor.create(plan, id, new SubtaskActor.Environment(
                            settings, checkpointSettings, storage, figures, part.events(), io, inFlightCodec))),
                    "subtask-" + id.chainId() + "-" + id.subtaskIndex(), props);
            context.watch(subtask);
            subtasks.put(id, subtask);
        }
    }

    /** How often a host sends its part's figures to the attempt. */
    private static final java.time.Duration FIGURES_INTERVAL = java.time.Duration.ofSeconds(1);

    private Behavior<DeploymentProtocol.HostCommand> running() {
        context.scheduleOnce(FIGURES_INTERVAL, context.getSelf(), DeploymentProtocol.SendFigures.INSTANCE);
        return Behaviors.receive(DeploymentProtocol.HostCommand.class)
                .onMessage(DeploymentProtocol.SpawnChannels.class, this::onSpawnChannels)
                .onMessage(DeploymentProtocol.Connect.class, this::onConnect)
                .onMessageEquals(DeploymentProtocol.SendFigures.INSTANCE, () -> {
                    part.hostEvents().tell(metrics.figures(node));
                    context.scheduleOnce(FIGURES_INTERVAL, context.getSelf(), DeploymentProtocol.SendFigures.INSTANCE);
                    return Behaviors.same();
                })
                .onSignal(Terminated.class, terminated -> Behaviors.stopped())
                .build();
    }

    private Behavior<DeploymentProtocol.HostCommand> onSpawnChannels(DeploymentProtocol.SpawnChannels request) {
        List<ActorRef<ChannelProtocol.ChannelCommand>> channels = new ArrayList<>(request.channels().size());
        for (DeploymentProtocol.ChannelSpec spec : request.channels()) {
            ChannelMetrics figures = new ChannelMetrics(spec.name(), settings.channelCapacity());
            metrics.add(figures);
            // No MDC around channels: they log nothing of their own, and an interceptor would cost on every batch.
            ActorRef<ChannelProtocol.ChannelCommand> channel = context.spawnAnonymous(ChannelActor.create(settings.channelCapacity(),
                    new ChannelActor.Endpoints(spec.consumer(), spec.consumerChannelIndex(), spec.producer(), spec.edgeId(), spec.target()),
                    figures, inFlightCodec,
                    spec.consumerRemote() ? Optional.of(wireCodec) : Optional.empty()));
            context.watch(channel);
            channels.add(channel);
        }
        part.hostEvents().tell(new DeploymentProtocol.ChannelsSpawned(request.request(), channels));
        return Behaviors.same();
    }

    private Behavior<DeploymentProtocol.HostCommand> onConnect(DeploymentProtocol.Connect connect) {
        for (DeploymentProtocol.SubtaskConnection connection : connect.subtasks()) {
            subtasks.get(connection.subtask()).tell(new SubtaskActor.ConnectChannels(connection.inputs(),
                    connection.outputsByEdge(), connect.coordinator(), Optional.ofNullable(restored.get(connection.subtask())),
                    connection.targetsAcrossNodes()));
        }
        return Behaviors.same();
    }
}
