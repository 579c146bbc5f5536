package dev.snapflow.engine.job;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointCoordinatorActor;
import dev.snapflow.engine.config.JobParameters;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.runtime.channel.ChannelProtocol;
import dev.snapflow.engine.runtime.subtask.SubtaskProtocol;
import dev.snapflow.serialization.akka.CborSerializable;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How an attempt of a cluster job deploys onto the members: it asks the workers (found through
 * the Receptionist) for their slots, places the subtasks ({@link Placement}), asks each chosen
 * worker to start a host for its part of the attempt, has the hosts spawn the channels next to
 * their producers, and connects everything through them. All of it is CBOR; the job's code never
 * crosses nodes: each host builds the job from the definition registered under its name.
 *
 * <p>Everything a host runs belongs to one attempt and dies with it: a host watches its attempt
 * and stops (with its subtasks and channels) when the attempt does, so a message of an old
 * attempt can only reach actors that no longer exist.
 */
public final class DeploymentProtocol {

    private DeploymentProtocol() {
    }

    /** Under which every node's worker registers with the Receptionist. */
    public static final ServiceKey<WorkerCommand> WORKER_KEY = ServiceKey.create(WorkerCommand.class, "snapflow-worker");

    /** What a node's worker accepts. */
    public sealed interface WorkerCommand permits DescribeSlots, DeployPart {
    }

    /** Attempt → worker: how many slots do you offer? */
    public record DescribeSlots(ActorRef<SlotsOffered> replyTo) implements WorkerCommand, CborSerializable {
    }

    /** Worker → attempt. */
    public record SlotsOffered(int slots) implements CborSerializable {
    }

    /**
     * Which snapshot the subtasks start from: checkpoint {@code checkpointId} of the job's own
     * storage, or the savepoint in {@code savepointDirectory}.
     *
     * @param sourcesStopped the sources start stopped, as the savepoint that stopped the job left them
     */
    public record RestoreSource(long checkpointId, Optional<String> savepointDirectory, boolean sourcesStopped)
            implements CborSerializable {
    }

    /**
     * Attempt → worker: run these subtasks of attempt {@code attempt} of job {@code jobId}, built
     * from the definition registered as {@code jobName}.
     *
     * @param restoredMaxParallelism max parallelism the restored keyed state of an operator (by uid) was written with
     * @param events                 where the subtasks report
     * @param hostEvents             where the host reports
     * @param attemptActor           the attempt, whose end stops the host
     */
    public record DeployPart(String jobName, JobParameters parameters, String jobId, int attempt, List<SubtaskId> subtasks,
                             Map<String, Integer> restoredMaxParallelism, Optional<RestoreSource> restore,
                             ActorRef<SubtaskProtocol.SubtaskEvent> events, ActorRef<HostEvent> hostEvents,
                             ActorRef<?> attemptActor)
            implements WorkerCommand, CborSerializable {
        public DeployPart {
            subtasks = List.copyOf(subtasks);
            restoredMaxParallelism = Map.copyOf(restoredMaxParallelism);
        }
    }

    /** What a host tells its attempt. */
    public sealed interface HostEvent permits HostStarted, DeployFailed, ChannelsSpawned, PartFigures {
    }

    /** A subtask's figures as they cross nodes; see {@code JobMetrics.Subtask}. */
    public record SubtaskFigures(String name, long recordsIn, long recordsOut, long backpressuredMillis) implements CborSerializable {
    }

    /** A channel's figures as they cross nodes; see {@code JobMetrics.Channel}. */
    public record ChannelFigures(String name, int capacity, long queuedBuffers, long maxQueuedBuffers, long deliveredBuffers)
            implements CborSerializable {
    }

    /** Host → attempt, every second: the figures of its subtasks and channels, for the job's handles. */
    public record PartFigures(String node, List<SubtaskFigures> subtasks, List<ChannelFigures> channels)
            implements HostEvent, CborSerializable {
        public PartFigures {
            subtasks = List.copyOf(subtasks);
            channels = List.copyOf(channels);
        }
    }

    /** The host exists and has spawned its subtasks, which report on their own. */
    public record HostStarted(ActorRef<HostCommand> host, String node) implements HostEvent, CborSerializable {
    }

    /** The host could not build its part of the job (the name is not registered there, a restore failed). */
    public record DeployFailed(String node, String reason) implements HostEvent, CborSerializable {
    }

    /** The channels of request {@code request}, in the order asked. */
    public record ChannelsSpawned(int request, List<ActorRef<ChannelProtocol.ChannelCommand>> channels)
            implements HostEvent, CborSerializable {
        public ChannelsSpawned {
            channels = List.copyOf(channels);
        }
    }

    /** What a host accepts from its attempt. */
    public sealed interface HostCommand permits SpawnChannels, Connect, SendFigures {
    }

    /** A host's own reminder to send its figures. */
    public enum SendFigures implements HostCommand, akka.actor.NoSerializationVerificationNeeded {
        INSTANCE
    }

    /**
     * One channel, spawned on its producer's node.
     *
     * @param consumerRemote true if the consumer runs on another node: the channel then writes its deliveries in the wire format
     */
    public record ChannelSpec(String name, int edgeId, int target, ActorRef<ChannelProtocol.ConsumerMessage> consumer,
                              int consumerChannelIndex, ActorRef<ChannelProtocol.ProducerMessage> producer,
                              boolean consumerRemote) implements CborSerializable {
    }

    /** Attempt → host: spawn these channels, answering {@link ChannelsSpawned}. */
    public record SpawnChannels(int request, List<ChannelSpec> channels) implements HostCommand, CborSerializable {
        public SpawnChannels {
            channels = List.copyOf(channels);
        }
    }

    /**
     * The channels of one subtask.
     *
     * @param targetsAcrossNodes by network edge id, the output targets whose consumers run on other nodes
     */
    public record SubtaskConnection(SubtaskId subtask, List<ActorRef<ChannelProtocol.ChannelCommand>> inputs,
                                    Map<Integer, List<ActorRef<ChannelProtocol.ChannelCommand>>> outputsByEdge,
                                    Map<Integer, java.util.Set<Integer>> targetsAcrossNodes)
            implements CborSerializable {
        public SubtaskConnection {
            inputs = List.copyOf(inputs);
            outputsByEdge = Map.copyOf(outputsByEdge);
            targetsAcrossNodes = Map.copyOf(targetsAcrossNodes);
        }
    }

    /** Attempt → host: connect the host's subtasks, which then run. */
    public record Connect(List<SubtaskConnection> subtasks, ActorRef<CheckpointCoordinatorActor.Command> coordinator)
            implements HostCommand, CborSerializable {
        public Connect {
            subtasks = List.copyOf(subtasks);
        }
    }
}
