package dev.snapflow.engine.cluster;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Behaviors;
import dev.snapflow.engine.JobAttemptFailure;
import dev.snapflow.engine.job.JobMasterActor;
import dev.snapflow.engine.job.JobOutcome;
import dev.snapflow.engine.job.MetricsRegistry;
import dev.snapflow.engine.runtime.channel.InFlightCodec;
import dev.snapflow.serialization.record.ValueCodec;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A job handle's end of a job on a cluster, on the handle's node: it takes the handle's requests
 * (the job master protocol) to the job's master through the singleton proxy, wherever the master
 * runs, and follows the job: it subscribes, fills the handle's metrics with every finished
 * checkpoint and failed attempt, completes the handle's result at the end, and subscribes again
 * when the master moves to another node.
 */
public final class JobClient {

    private JobClient() {
    }

    /** @return a behavior that accepts {@link JobMasterActor.Command}s and the master's {@link ClusterJobMaster.ClientEvent}s */
    public static Behavior<Object> create(ActorRef<ClusterJobMaster.Command> master, CompletableFuture<JobOutcome> outcome,
                                          CompletableFuture<Done> terminated, MetricsRegistry metrics) {
        return Behaviors.setup(context -> {
            ActorRef<ClusterJobMaster.ClientEvent> events = context.getSelf().narrow();
            master.tell(new ClusterJobMaster.Subscribe(events));
            InFlightCodec codec = new InFlightCodec(ValueCodec.create(context.getSystem()));
            Map<String, List<Object>> collected = new HashMap<>();
            return Behaviors.receive(Object.class)
                    .onMessage(ClusterJobMaster.Subscribed.class, subscribed -> {
                        collected.clear(); // a master that took over sends the whole result again
                        context.watch(subscribed.master());
                        return Behaviors.same();
                    })
                    .onSignal(Terminated.class, gone -> {
                        // The master's node was lost: its next incarnation, elsewhere, answers through the proxy.
                        master.tell(new ClusterJobMaster.Subscribe(events));
                        return Behaviors.same();
                    })
                    .onMessage(ClusterJobMaster.FiguresUpdate.class, update -> {
                        metrics.putRemote("cluster", update.figures());
                        return Behaviors.same();
                    })
                    .onMessage(ClusterJobMaster.CheckpointEnded.class, ended -> {
                        metrics.add(ended.stats());
                        return Behaviors.same();
                    })
                    .onMessage(ClusterJobMaster.AttemptFailed.class, failed -> {
                        metrics.add(new JobAttemptFailure(failed.attempt(), Instant.ofEpochMilli(failed.timeMillis()),
                                failed.operatorName(), failed.subtaskIndex(),
                                new RemoteFailure(failed.causeClass(), failed.causeMessage(), null), failed.restarted()));
                        return Behaviors.same();
                    })
                    .onMessage(ClusterJobMaster.ResultPart.class, part -> {
                        try {
                            collected.computeIfAbsent(part.sinkName(), name -> new ArrayList<>())
                                    .addAll(codec.decode(part.records(), "collected by sink '" + part.sinkName() + "'"));
                        } catch (IOException e) {
                            outcome.complete(new JobOutcome.Failed(part.sinkName(), 0, 1, e));
                        }
                        return Behaviors.same();
                    })
                    .onMessage(ClusterJobMaster.JobEnded.class, ended -> {
                        outcome.complete(toOutcome(ended.result(), collected));
                        terminated.complete(Done.getInstance());
                        return Behaviors.stopped();
                    })
                    .onMessageEquals(JobMasterActor.Cancel.INSTANCE, () -> {
                        master.tell(ClusterJobMaster.CancelJob.INSTANCE);
                        return Behaviors.same();
                    })
                    .onMessage(JobMasterActor.TriggerCheckpoint.class, request -> {
                        master.tell(new ClusterJobMaster.RequestCheckpoint(request.replyTo()));
                        return Behaviors.same();
                    })
                    .onMessage(JobMasterActor.TriggerSavepoint.class, request -> {
                        master.tell(new ClusterJobMaster.RequestSavepoint(request.request().targetDirectory().toString(),
                                request.request().postAction(), request.request().replyTo()));
                        return Behaviors.same();
                    })
                    .onMessage(JobMasterActor.ListJobActors.class, request -> {
                        master.tell(new ClusterJobMaster.ListActors(request.replyTo()));
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    static JobOutcome toOutcome(ClusterJobMaster.EndedJob ended, Map<String, List<Object>> collected) {
        return switch (ended.status()) {
            case "FINISHED" -> {
                Map<String, JobOutcome.SinkTotal> sinks = new LinkedHashMap<>();
                for (ClusterJobMaster.SinkEnd sink : ended.sinks()) {
                    sinks.put(sink.name(), new JobOutcome.SinkTotal(sink.name(), sink.records(), sink.collected()
                            ? Optional.of(List.copyOf(collected.getOrDefault(sink.name(), List.of()))) : Optional.empty()));
                }
                yield new JobOutcome.Finished(Duration.ofMillis(ended.durationMillis()), sinks);
            }
            case "CANCELLED" -> new JobOutcome.Cancelled();
            default -> new JobOutcome.Failed(ended.failedOperator(), ended.failedSubtask(), Math.max(1, ended.failedParallelism()),
                    new RemoteFailure(ended.causeClass(), ended.causeMessage(), null));
        };
    }
}
