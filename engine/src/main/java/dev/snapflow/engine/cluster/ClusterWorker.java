package dev.snapflow.engine.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.typed.Cluster;
import dev.snapflow.engine.job.DeploymentProtocol;
import dev.snapflow.engine.runtime.JobLogContext;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A node's worker: registered with the Receptionist, it tells attempts how many of its task
 * slots are free and starts a host for each part of an attempt placed on it. A part takes as
 * many slots as it has subtask indexes; they are free again when its host stops.
 */
public final class ClusterWorker {

    private ClusterWorker() {
    }

    /**
     * @param slots       the task slots this node offers
     * @param definitions the job definitions registered on this node, by name
     */
    public static Behavior<DeploymentProtocol.WorkerCommand> create(int slots, Function<String, Optional<JobDefinition>> definitions) {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(DeploymentProtocol.WORKER_KEY, context.getSelf()));
            String node = Cluster.get(context.getSystem()).selfMember().address().toString();
            Map<ActorRef<?>, Integer> slotsInUse = new HashMap<>();
            return Behaviors.receive(DeploymentProtocol.WorkerCommand.class)
                    .onMessage(DeploymentProtocol.DescribeSlots.class, describe -> {
                        int used = slotsInUse.values().stream().mapToInt(Integer::intValue).sum();
                        describe.replyTo().tell(new DeploymentProtocol.SlotsOffered(Math.max(0, slots - used)));
                        return Behaviors.same();
                    })
                    .onMessage(DeploymentProtocol.DeployPart.class, part -> {
                        Optional<JobDefinition> definition = definitions.apply(part.jobName());
                        if (definition.isEmpty()) {
                            part.hostEvents().tell(new DeploymentProtocol.DeployFailed(node, "no job is registered as '"
                                    + part.jobName() + "' on this node: register it on every node with SnapflowCluster.registerJob"));
                            return Behaviors.same();
                        }
                        // The attempt actor's uid too: a master that took over numbers its attempts from 1 again.
                        String name = "host-" + part.jobId() + "-attempt-" + part.attempt() + "-" + part.attemptActor().path().uid();
                        if (context.getChild(name).isPresent()) {
                            return Behaviors.same(); // the same part again: it runs already
                        }
                        ActorRef<DeploymentProtocol.HostCommand> host = context.spawn(
                                JobLogContext.job(part.jobName()).attempt(part.attempt()).around(DeploymentProtocol.HostCommand.class,
                                        AttemptHost.create(part, definition.get(), node)), name);
                        context.watch(host);
                        slotsInUse.put(host, (int) part.subtasks().stream().mapToInt(id -> id.subtaskIndex()).distinct().count());
                        return Behaviors.same();
                    })
                    .onSignal(Terminated.class, terminated -> {
                        slotsInUse.remove(terminated.getRef());
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
