package dev.snapflow.engine.runtime.subtask;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.Partitioning;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.runtime.channel.ChannelProtocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The shell of one subtask: it turns channel messages into calls on its {@link SubtaskRunner}
 * and carries out the step the runner returns (continue later, wait, poll again, report done).
 *
 * <p>Lifecycle: on start it reports {@link SubtaskProtocol.SubtaskStarted} with the refs its
 * channels should use; once the job sends {@link ConnectChannels} it builds its operator chain
 * and runs. It reports {@link SubtaskProtocol.SubtaskFinished} or
 * {@link SubtaskProtocol.SubtaskFailed} and then stays idle until the job stops it.
 */
public final class SubtaskActor extends AbstractBehavior<SubtaskActor.Command> {

    public sealed interface Command permits ConnectChannels, WrappedConsumerMessage, WrappedProducerMessage, Tick {
    }

    /**
     * Job → subtask, once every channel exists: the channels to read (by input channel index)
     * and to write (by network edge id, then target index). The subtask then starts.
     */
    public record ConnectChannels(
            List<ActorRef<ChannelProtocol.ChannelCommand>> inputs,
            Map<Integer, List<ActorRef<ChannelProtocol.ChannelCommand>>> outputsByEdge)
            implements Command, NoSerializationVerificationNeeded {
        public ConnectChannels {
            inputs = List.copyOf(inputs);
            outputsByEdge = Map.copyOf(outputsByEdge);
        }
    }

    private record WrappedConsumerMessage(ChannelProtocol.ConsumerMessage message)
            implements Command, NoSerializationVerificationNeeded {
    }

    private record WrappedProducerMessage(ChannelProtocol.ProducerMessage message) implements Command {
    }

    private enum Tick implements Command {
        CONTINUE, FLUSH, POLL
    }

    private final SubtaskId id;
    private final String headName;
    private final SubtaskRunner runner;
    private final RecordWriter[] writersByEdge;
    private final ActorRef<SubtaskProtocol.SubtaskEvent> job;
    private final TimerScheduler<Command> timers;
    private final RuntimeSettings settings;
    private boolean continueScheduled;
    private boolean failed;

    private SubtaskActor(ActorContext<Command> context, SubtaskId id, String headName, SubtaskRunner runner,
                         RecordWriter[] writersByEdge, ActorRef<SubtaskProtocol.SubtaskEvent> job,
                         TimerScheduler<Command> timers, RuntimeSettings settings) {
        super(context);
        this.id = id;
        this.headName = headName;
        this.runner = runner;
        this.writersByEdge = writersByEdge;
        this.job = job;
        this.timers = timers;
        this.settings = settings;
    }

    public static Behavior<Command> create(ExecutionPlan plan, SubtaskId id, RuntimeSettings settings,
                                           SubtaskMetrics metrics, ActorRef<SubtaskProtocol.SubtaskEvent> job) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            ActorRef<ChannelProtocol.ConsumerMessage> consumerRef =
                    context.messageAdapter(ChannelProtocol.ConsumerMessage.class, WrappedConsumerMessage::new);
            ActorRef<ChannelProtocol.ProducerMessage> producerRef =
                    context.messageAdapter(ChannelProtocol.ProducerMessage.class, WrappedProducerMessage::new);
            job.tell(new SubtaskProtocol.SubtaskStarted(id, consumerRef, producerRef));
            return Behaviors.receive(Command.class)
                    .onMessage(ConnectChannels.class, connect -> connected(context, timers, plan, id, settings, metrics, job, connect))
                    .build();
        }));
    }

    private static Behavior<Command> connected(ActorContext<Command> context, TimerScheduler<Command> timers,
                                               ExecutionPlan plan, SubtaskId id, RuntimeSettings settings,
                                               SubtaskMetrics metrics, ActorRef<SubtaskProtocol.SubtaskEvent> job,
                                               ConnectChannels connect) {
        ExecutionPlan.Chain chain = plan.chains().get(id.chainId());
        String headName = plan.graph().operator(chain.headId()).name();
        OutputPressure pressure = new OutputPressure();
        RecordWriter.ChannelPort channelPort = (edgeId, target, item) ->
                connect.outputsByEdge().get(edgeId).get(target).tell(new ChannelProtocol.Push(item));
        RecordWriter[] writersByEdge = new RecordWriter[plan.networkEdges().size()];
        List<RecordWriter> writers = new ArrayList<>();
        for (ExecutionPlan.NetworkEdge edge : plan.outputsOf(chain.id())) {
            ChannelSelector selector = edge.partitioning() == Partitioning.BROADCAST
                    ? null : ChannelSelector.forEdge(edge, id.subtaskIndex());
            RecordWriter writer = new RecordWriter(edge.id(), plan.graph().operator(edge.producerOperatorId()).name(),
                    selector, edge.channelsPerProducer(), settings.bufferRecords(), settings.channelCapacity(),
                    channelPort, pressure);
            writersByEdge[edge.id()] = writer;
            writers.add(writer);
        }
        SubtaskRunner.CreditPort creditPort = (channel, credits) ->
                connect.inputs().get(channel).tell(new ChannelProtocol.GrantCredit(credits));
        SubtaskActor actor;
        try {
            OperatorChain operators = OperatorChain.create(plan, chain, id.subtaskIndex(), edgeId -> writersByEdge[edgeId]);
            SubtaskRunner runner = new SubtaskRunner(operators, writers, connect.inputs().size(),
                    settings.creditsPerChannel(), settings.floatingCreditsPerGate(), creditPort, pressure, metrics,
                    System::nanoTime, settings.recordsPerTurn(), settings.bufferRecords());
            actor = new SubtaskActor(context, id, headName, runner, writersByEdge, job, timers, settings);
            runner.start();
        } catch (UserFunctionException e) {
            job.tell(new SubtaskProtocol.SubtaskFailed(id, e.operatorName(), e.getCause()));
            return Behaviors.ignore();
        }
        if (!writers.isEmpty()) {
            timers.startTimerWithFixedDelay(Tick.FLUSH, settings.flushTimeout());
        }
        actor.runNow();
        return actor;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(WrappedConsumerMessage.class, this::onConsumerMessage)
                .onMessage(WrappedProducerMessage.class, this::onProducerMessage)
                .onMessageEquals(Tick.CONTINUE, this::onContinue)
                .onMessageEquals(Tick.FLUSH, this::onFlush)
                .onMessageEquals(Tick.POLL, this::onPoll)
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    private Behavior<Command> onConsumerMessage(WrappedConsumerMessage wrapped) {
        if (wrapped.message() instanceof ChannelProtocol.Deliver deliver) {
            runner.onDelivered(deliver.channelIndex(), deliver.items(), deliver.backlog());
            runNow();
        } else if (wrapped.message() instanceof ChannelProtocol.ChannelBecameNonEmpty nonEmpty) {
            runner.onBacklogAnnounced(nonEmpty.channelIndex(), nonEmpty.backlog());
        }
        return this;
    }

    private Behavior<Command> onProducerMessage(WrappedProducerMessage wrapped) {
        if (wrapped.message() instanceof ChannelProtocol.BuffersReleased released) {
            runner.onReleased(writersByEdge[released.edgeId()], released.targetIndex(), released.count());
            runNow();
        }
        return this;
    }

    private Behavior<Command> onContinue() {
        continueScheduled = false;
        runNow();
        return this;
    }

    private Behavior<Command> onFlush() {
        if (!failed) {
            runner.onFlushTimeout();
            runNow();
        }
        return this;
    }

    private Behavior<Command> onPoll() {
        runNow();
        return this;
    }

    private Behavior<Command> onPostStop() {
        runner.abandon();
        return this;
    }

    private void runNow() {
        if (failed || runner.isFinished()) {
            return;
        }
        SubtaskRunner.Step step;
        try {
            step = runner.run();
        } catch (UserFunctionException e) {
            fail(e.operatorName(), e.getCause());
            return;
        } catch (RuntimeException e) {
            fail(headName, e);
            return;
        }
        switch (step) {
            case YIELD -> scheduleContinue();
            case POLL_LATER -> timers.startSingleTimer(Tick.POLL, settings.idleSourcePollInterval());
            case FINISHED -> {
                timers.cancelAll();
                job.tell(new SubtaskProtocol.SubtaskFinished(id, runner.sinkResults()));
            }
            case BLOCKED, IDLE -> {
                // Woken by the next release or delivery.
            }
        }
    }

    private void scheduleContinue() {
        if (!continueScheduled) {
            continueScheduled = true;
            getContext().getSelf().tell(Tick.CONTINUE);
        }
    }

    private void fail(String operatorName, Throwable cause) {
        failed = true;
        timers.cancelAll();
        runner.abandon();
        job.tell(new SubtaskProtocol.SubtaskFailed(id, operatorName, cause));
    }
}
