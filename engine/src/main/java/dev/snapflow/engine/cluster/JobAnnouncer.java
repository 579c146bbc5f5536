package dev.snapflow.engine.cluster;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import dev.snapflow.serialization.akka.CborSerializable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Tells every node of the jobs submitted to the cluster, so that every node runs the singleton
 * manager of each job's master and a master can take over on any of them. A submission announces
 * its job to all nodes; a node that joins later is told of every job by the others.
 */
public final class JobAnnouncer {

    public static final ServiceKey<Command> NODE_KEY = ServiceKey.create(Command.class, "snapflow-node");

    /** Jobs per announcement, to stay well under an Artery frame. */
    private static final int JOBS_PER_MESSAGE = 100;

    private JobAnnouncer() {
    }

    public sealed interface Command permits Announce, PeersListed {
    }

    public record Announce(List<ClusterJobMaster.AnnouncedJob> jobs) implements Command, CborSerializable {
        public Announce {
            jobs = List.copyOf(jobs);
        }
    }

    private record PeersListed(Set<ActorRef<Command>> peers) implements Command, NoSerializationVerificationNeeded {
    }

    /**
     * @param definitions the job definitions registered on this node
     * @param known       the jobs this node knows, by id; filled here, read by the extension
     */
    public static Behavior<Command> create(Function<String, Optional<JobDefinition>> definitions,
                                           Map<String, ClusterJobMaster.AnnouncedJob> known) {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(NODE_KEY, context.getSelf()));
            context.getSystem().receptionist().tell(Receptionist.subscribe(NODE_KEY, context.messageAdapter(
                    Receptionist.Listing.class, listing -> new PeersListed(listing.getServiceInstances(NODE_KEY)))));
            Set<ActorRef<Command>> peers = new HashSet<>();
            return Behaviors.receive(Command.class)
                    .onMessage(Announce.class, announce -> {
                        List<ClusterJobMaster.AnnouncedJob> fresh = new ArrayList<>();
                        for (ClusterJobMaster.AnnouncedJob job : announce.jobs()) {
                            if (known.putIfAbsent(job.jobId(), job) == null) {
                                ClusterJobMaster.init(context.getSystem(), job, definitions);
                                fresh.add(job);
                            }
                        }
                        if (!fresh.isEmpty()) {
                            peers.stream().filter(peer -> !peer.equals(context.getSelf())).forEach(peer -> tell(peer, fresh));
                        }
                        return Behaviors.same();
                    })
                    .onMessage(PeersListed.class, listed -> {
                        for (ActorRef<Command> peer : listed.peers()) {
                            if (peers.add(peer) && !peer.equals(context.getSelf()) && !known.isEmpty()) {
                                tell(peer, new ArrayList<>(known.values()));
                            }
                        }
                        peers.retainAll(listed.peers());
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    private static void tell(ActorRef<Command> peer, List<ClusterJobMaster.AnnouncedJob> jobs) {
        for (int from = 0; from < jobs.size(); from += JOBS_PER_MESSAGE) {
            peer.tell(new Announce(jobs.subList(from, Math.min(jobs.size(), from + JOBS_PER_MESSAGE))));
        }
    }
}
