package dev.snapflow.engine.runtime.subtask;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.StashBuffer;
import akka.actor.typed.javadsl.TimerScheduler;
import dev.snapflow.engine.api.SinkWriter;
import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.engine.checkpoint.RepeatedWarnings;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointCoordinatorActor;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointProtocol;
import dev.snapflow.engine.checkpoint.coordinator.SubtaskCheckpointMetrics;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.Partitioning;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.runtime.channel.ChannelProtocol;
import dev.snapflow.engine.runtime.channel.InFlightCodec;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.engine.storage.CheckpointStorage;
import dev.snapflow.engine.storage.StateHandle;
import dev.snapflow.engine.storage.TrackingExecutor;
import dev.snapflow.serialization.event.CheckpointBarrier;

import dev.snapflow.engine.storage.SnapshotDirectory;
import dev.snapflow.serialization.event.CheckpointStorageLocationReference;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The shell of one subtask: it turns channel and checkpoint messages into calls on its
 * {@link SubtaskRunner} and carries out the step the runner returns (continue later, wait, poll
 * again, report done). It writes its checkpoint snapshots to storage on the blocking-IO
 * dispatcher, so that processing goes on meanwhile, and acknowledges them to the coordinator.
 *
 * <p>Lifecycle: on start it reports {@link SubtaskProtocol.SubtaskStarted} with the refs its
 * channels and the checkpoint coordinator should use, and stashes everything until the job sends
 * {@link ConnectChannels}; then it builds its operator chain and runs. It reports
 * {@link SubtaskProtocol.SubtaskFinished} or {@link SubtaskProtocol.SubtaskFailed}, and after
 * finishing still answers checkpoints with its final state until the job stops it.
 */
public final class SubtaskActor extends AbstractBehavior<SubtaskActor.Command> {

    public sealed interface Command permits ConnectChannels, WrappedConsumerMessage, WrappedProducerMessage,
            WrappedCheckpointCommand, SnapshotWritten, SnapshotFailed, CheckpointTimeout, Tick, ResumeSink {
    }

    /**
     * Job → subtask, once every channel and the coordinator exist: the channels to read (by input
     * channel index) and to write (by network edge id, then target index), the coordinator, and the
     * state to start from when the job starts from a checkpoint.
     *
     * @param targetsAcrossNodes by network edge id, the targets whose consumers run on other nodes
     */
    public record ConnectChannels(
            List<ActorRef<ChannelProtocol.ChannelCommand>> inputs,
            Map<Integer, List<ActorRef<ChannelProtocol.ChannelCommand>>> outputsByEdge,
            ActorRef<CheckpointCoordinatorActor.Command> coordinator,
            java.util.Optional<dev.snapflow.engine.state.RestoredState> restoredState,
            Map<Integer, java.util.Set<Integer>> targetsAcrossNodes)
            implements Command, NoSerializationVerificationNeeded {
        public ConnectChannels {
            inputs = List.copyOf(inputs);
            outputsByEdge = Map.copyOf(outputsByEdge);
            targetsAcrossNodes = Map.copyOf(targetsAcrossNodes);
        }

        /** Channels inside one node only. */
        public ConnectChannels(List<ActorRef<ChannelProtocol.ChannelCommand>> inputs,
                               Map<Integer, List<ActorRef<ChannelProtocol.ChannelCommand>>> outputsByEdge,
                               ActorRef<CheckpointCoordinatorActor.Command> coordinator,
                               java.util.Optional<dev.snapflow.engine.state.RestoredState> restoredState) {
            this(inputs, outputsByEdge, coordinator, restoredState, Map.of());
        }
    }

    private record WrappedConsumerMessage(ChannelProtocol.ConsumerMessage message)
            implements Command, NoSerializationVerificationNeeded {
    }

    private record WrappedProducerMessage(ChannelProtocol.ProducerMessage message) implements Command {
    }

    private record WrappedCheckpointCommand(CheckpointProtocol.SubtaskCheckpointCommand command)
            implements Command, NoSerializationVerificationNeeded {
    }

    private record SnapshotWritten(CheckpointBarrier barrier, StateHandle handle, SubtaskCheckpointMetrics metrics)
            implements Command, NoSerializationVerificationNeeded {
    }

    private record SnapshotFailed(long checkpointId, Throwable cause) implements Command, NoSerializationVerificationNeeded {
    }

    /** The aligned-checkpoint timeout of a checkpoint that may turn unaligned. */
    private record CheckpointTimeout(long checkpointId) implements Command, NoSerializationVerificationNeeded {
    }

    /** Dead letters once the subtask stopped (a late availability or resume signal), and no news then. */
    private enum Tick implements Command, NoSerializationVerificationNeeded, akka.actor.DeadLetterSuppression {
        CONTINUE, FLUSH, POLL
    }

    /** A paused sink writer can take records again. */
    private record ResumeSink(SinkFlowControl sink) implements Command, NoSerializationVerificationNeeded,
            akka.actor.DeadLetterSuppression {
    }

    /** What a subtask needs besides its place in the plan. */
    public record Environment(RuntimeSettings settings, CheckpointSettings checkpointSettings, CheckpointStorage storage,
                              SubtaskMetrics metrics, ActorRef<SubtaskProtocol.SubtaskEvent> job, TrackingExecutor storageIo,
                              InFlightCodec inFlightCodec)
            implements NoSerializationVerificationNeeded {
    }

    private final SubtaskId id;
    private final String headName;
    private SubtaskRunner runner;
    private final RecordWriter[] writersByEdge;
    private final Environment environment;
    private final ActorRef<CheckpointCoordinatorActor.Command> coordinator;
    private final TimerScheduler<Command> timers;
    private final Executor blockingIo;
    /** A state that cannot be written fails every checkpoint the same way: say so once per ten seconds. */
    private final RepeatedWarnings warnings = new RepeatedWarnings(java.util.concurrent.TimeUnit.SECONDS.toNanos(10), System::nanoTime);
    private boolean continueScheduled;
    /** Set once the operators exist. */
    private boolean hasSinks;
    /** For signals from other threads: an actor's context is not thread-safe, its ref is. */
    private final ActorRef<Command> self;
    /** The source's availability stage a POLL is already promised for: one message per stage. */
    private CompletionStage<?> availabilityAwaited;
    /** Finished, with output that a checkpoint still has to commit before the job may end. */
    private boolean awaitingCommit;

    private SubtaskActor(ActorContext<Command> context, SubtaskId id, String headName, RecordWriter[] writersByEdge,
                         Environment environment, ActorRef<CheckpointCoordinatorActor.Command> coordinator,
                         TimerScheduler<Command> timers) {
        super(context);
        this.id = id;
        this.headName = headName;
        this.writersByEdge = writersByEdge;
        this.environment = environment;
        this.coordinator = coordinator;
        this.timers = timers;
        this.blockingIo = environment.storageIo();
        this.self = context.getSelf();
    }

    public static Behavior<Command> create(ExecutionPlan plan, SubtaskId id, Environment environment) {
        return Behaviors.setup(context -> {
            // Named here: the MDC interceptor around the behavior hides the class from Akka's detection.
            context.setLoggerName(SubtaskActor.class);
            return Behaviors.withTimers(timers -> Behaviors.withStash(1000, stash -> {
                ActorRef<ChannelProtocol.ConsumerMessage> consumerRef =
                        context.messageAdapter(ChannelProtocol.ConsumerMessage.class, WrappedConsumerMessage::new);
                ActorRef<ChannelProtocol.ProducerMessage> producerRef =
                        context.messageAdapter(ChannelProtocol.ProducerMessage.class, WrappedProducerMessage::new);
                ActorRef<CheckpointProtocol.SubtaskCheckpointCommand> checkpointRef =
                        context.messageAdapter(CheckpointProtocol.SubtaskCheckpointCommand.class, WrappedCheckpointCommand::new);
                environment.job().tell(new SubtaskProtocol.SubtaskStarted(id, consumerRef, producerRef, checkpointRef));
                return Behaviors.receive(Command.class)
                        .onMessage(ConnectChannels.class, connect -> connected(context, timers, stash, plan, id, environment, connect))
                        .onAnyMessage(message -> {
                            stash.stash(message);
                            return Behaviors.same();
                        })
                        .build();
            }));
        });
    }

    private static Behavior<Command> connected(ActorContext<Command> context, TimerScheduler<Command> timers,
                                               StashBuffer<Command> stash, ExecutionPlan plan, SubtaskId id,
                                               Environment environment, ConnectChannels connect) {
        RuntimeSettings settings = environment.settings();
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
            for (int target : connect.targetsAcrossNodes().getOrDefault(edge.id(), java.util.Set.of())) {
                writer.useBatchSize(target, settings.bufferRecordsAcrossNodes());
            }
            writersByEdge[edge.id()] = writer;
            writers.add(writer);
        }
        SubtaskRunner.CreditPort creditPort = (channel, credits) ->
                connect.inputs().get(channel).tell(new ChannelProtocol.GrantCredit(credits));
        SubtaskActor actor = new SubtaskActor(context, id, headName, writersByEdge, environment, connect.coordinator(), timers);
        try {
            OperatorChain operators = OperatorChain.create(plan, chain, id.subtaskIndex(), edgeId -> writersByEdge[edgeId],
                    new KeyedStateOptions(environment.inFlightCodec().valueCodec(), environment.storage(),
                            environment.checkpointSettings().incremental() ? environment.checkpointSettings().incrementalMaxDeltas() : 0),
                    () -> actor.new SinkFlowControl(pressure));
            actor.hasSinks = operators.hasSinks();
            SubtaskRunner.Inputs inputs = new SubtaskRunner.Inputs(connect.inputs().size(), settings.creditsPerChannel(),
                    settings.floatingCreditsPerGate(), creditPort);
            actor.runner = new SubtaskRunner(operators, writers, inputs, pressure, environment.metrics(),
                    SubtaskRunner.Clocks.system(), settings.recordsPerTurn(), settings.bufferRecords(),
                    environment.checkpointSettings(), actor.new CheckpointWriter(), environment.inFlightCodec(),
                    new InFlightChannels(plan, chain, id.subtaskIndex()));
            actor.runner.start(connect.restoredState());
        } catch (UserFunctionException e) {
            environment.job().tell(new SubtaskProtocol.SubtaskFailed(id, e.operatorName(), e.getCause()));
            return Behaviors.ignore();
        } catch (RuntimeException e) {
            // A restored state that does not fit (for example damaged in-flight data): fail, naming the chain.
            environment.job().tell(new SubtaskProtocol.SubtaskFailed(id, headName, e));
            return Behaviors.ignore();
        }
        if (!writers.isEmpty() || actor.hasSinks) {
            timers.startTimerWithFixedDelay(Tick.FLUSH, settings.flushTimeout());
        }
        return stash.unstashAll(actor.runTurn());
    }

    /**
     * A sink writer whose destination is full holds the subtask back the way a blocked output
     * channel does: while any is paused, the runner processes no records and grants no credits.
     * One per sink, so that one sink's room does not resume another that is still full.
     */
    private final class SinkFlowControl implements SinkWriter.FlowControl {
        private final OutputPressure pressure;
        /** Actor-confined. */
        private boolean paused;

        SinkFlowControl(OutputPressure pressure) {
            this.pressure = pressure;
        }

        @Override
        public void pause() {
            if (!paused) {
                paused = true;
                pressure.channelBlocked();
            }
        }

        @Override
        public void resume() {
            self.tell(new ResumeSink(this));
        }

        /** On the actor's thread, for {@link ResumeSink}. */
        void resumed() {
            if (paused) {
                paused = false;
                pressure.channelUnblocked();
            }
        }
    }

    /** Writes snapshots off the actor's thread and tells the coordinator. */
    private final class CheckpointWriter implements SubtaskCheckpointer.CheckpointPort {
        @Override
        public void snapshotTaken(CheckpointBarrier barrier, Callable<SubtaskState> state, long alignmentNanos,
                                  long startDelayMillis, long syncNanos) {
            long asyncStart = System.nanoTime();
            CheckpointStorage storage = environment.storage();
            CheckpointStorageLocationReference location = barrier.options().targetLocation();
            long[] inFlightBytes = new long[1];
            getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
                try {
                    SubtaskState snapshot = state.call();
                    inFlightBytes[0] = snapshot.inFlightBytes();
                    if (!location.isDefault()) {
                        // A savepoint: its own directory, named in the barrier.
                        return new SnapshotDirectory(Path.of(new String(location.referenceBytes(), StandardCharsets.UTF_8)))
                                .writeState(barrier.id(), id, snapshot);
                    }
                    return storage.writeState(barrier.id(), id, snapshot);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, blockingIo), (handle, failure) -> failure == null
                    ? new SnapshotWritten(barrier, handle, new SubtaskCheckpointMetrics(alignmentNanos, startDelayMillis,
                    syncNanos, System.nanoTime() - asyncStart, handle.stateBytes(), inFlightBytes[0],
                    barrier.options().isUnaligned(), handle.writtenBytes()))
                    : new SnapshotFailed(barrier.id(), failure));
        }

        @Override
        public void scheduleTimeout(long checkpointId, long delayMillis) {
            CheckpointTimeout timeout = new CheckpointTimeout(checkpointId);
            timers.startSingleTimer(timeout, timeout, java.time.Duration.ofMillis(delayMillis));
        }

        @Override
        public void declined(long checkpointId, CheckpointFailureReason reason) {
            coordinator.tell(new CheckpointCoordinatorActor.DeclineCheckpoint(id, checkpointId, reason, "at " + headName));
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(WrappedConsumerMessage.class, this::onConsumerMessage)
                .onMessage(WrappedProducerMessage.class, this::onProducerMessage)
                .onMessage(WrappedCheckpointCommand.class, this::onCheckpointCommand)
                .onMessage(SnapshotWritten.class, this::onSnapshotWritten)
                .onMessage(SnapshotFailed.class, this::onSnapshotFailed)
                .onMessage(CheckpointTimeout.class, this::onCheckpointTimeout)
                .onMessageEquals(Tick.CONTINUE, this::onContinue)
                .onMessageEquals(Tick.FLUSH, this::onFlush)
                .onMessageEquals(Tick.POLL, this::onPoll)
                .onMessage(ResumeSink.class, resume -> workThenRun(resume.sink()::resumed))
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    private Behavior<Command> onConsumerMessage(WrappedConsumerMessage wrapped) {
        if (wrapped.message() instanceof ChannelProtocol.Deliver deliver) {
            // A priority barrier in it snapshots at once, running user code.
            return workThenRun(() -> runner.onDelivered(deliver.channelIndex(), deliver.items(), deliver.backlog()));
        }
        if (wrapped.message() instanceof ChannelProtocol.UndecodableDelivery undecodable) {
            return fail(headName, new IllegalStateException("Input channel " + undecodable.channelIndex()
                    + " delivered data this node cannot read: " + undecodable.reason()));
        }
        if (wrapped.message() instanceof ChannelProtocol.EncodedDelivery encoded) {
            return fail(headName, new IllegalStateException("An encoded delivery reached its consumer without passing "
                    + "the node's serializer: channels encode only for consumers on other nodes"));
        }
        ChannelProtocol.ChannelBecameNonEmpty nonEmpty = (ChannelProtocol.ChannelBecameNonEmpty) wrapped.message();
        runner.onBacklogAnnounced(nonEmpty.channelIndex(), nonEmpty.backlog());
        return this;
    }

    private Behavior<Command> onProducerMessage(WrappedProducerMessage wrapped) {
        if (wrapped.message() instanceof ChannelProtocol.BuffersReleased released) {
            return workThenRun(() -> runner.onReleased(writersByEdge[released.edgeId()], released.targetIndex(), released.count()));
        } else if (wrapped.message() instanceof ChannelProtocol.InFlightCaptured captured) {
            return work(() -> runner.checkpointer().onOutputCaptured(captured.edgeId(), captured.targetIndex(),
                    captured.checkpointId(), captured.overtaken()));
        }
        if (wrapped.message() instanceof ChannelProtocol.DeliveryFailed deliveryFailed) {
            return fail(headName, new IllegalStateException(deliveryFailed.reason()));
        }
        ChannelProtocol.InFlightCaptureFailed captureFailed = (ChannelProtocol.InFlightCaptureFailed) wrapped.message();
        return fail(headName, new IllegalStateException(captureFailed.reason()));
    }

    private Behavior<Command> onCheckpointCommand(WrappedCheckpointCommand wrapped) {
        CheckpointProtocol.SubtaskCheckpointCommand command = wrapped.command();
        if (command instanceof CheckpointProtocol.TriggerCheckpoint trigger) {
            return work(() -> runner.checkpointer().triggerCheckpoint(trigger.barrier()));
        } else if (command instanceof CheckpointProtocol.NotifyCheckpointComplete complete) {
            // A source stopped by a savepoint ends its output now.
            return workThenRun(() -> {
                runner.notifyCheckpointComplete(complete.checkpointId());
                if (awaitingCommit && !runner.hasUncommittedOutput()) {
                    awaitingCommit = false;
                    environment.job().tell(new SubtaskProtocol.OutputCommitted(id));
                }
            });
        }
        CheckpointProtocol.NotifyCheckpointAborted aborted = (CheckpointProtocol.NotifyCheckpointAborted) command;
        return workThenRun(() -> runner.notifyCheckpointAborted(aborted.checkpointId())); // a source whose stopping savepoint failed reads on
    }

    private Behavior<Command> onSnapshotWritten(SnapshotWritten written) {
        coordinator.tell(new CheckpointCoordinatorActor.AcknowledgeCheckpoint(id, written.barrier().id(),
                written.handle(), written.metrics()));
        return this;
    }

    private Behavior<Command> onSnapshotFailed(SnapshotFailed snapshotFailed) {
        Throwable cause = RepeatedWarnings.unwrap(snapshotFailed.cause());
        warnings.noteFor(cause).ifPresent(note -> getContext().getLog().warn(
                "Writing checkpoint {} of {} failed{}", snapshotFailed.checkpointId(), headName, note, cause));
        coordinator.tell(new CheckpointCoordinatorActor.DeclineCheckpoint(id, snapshotFailed.checkpointId(),
                CheckpointFailureReason.CHECKPOINT_ASYNC_EXCEPTION, headName + " could not write its state: " + cause));
        return this;
    }

    private Behavior<Command> onCheckpointTimeout(CheckpointTimeout timeout) {
        // Channels blocked for the alignment may have resumed.
        return workThenRun(() -> runner.onCheckpointTimeout(timeout.checkpointId()));
    }

    private Behavior<Command> onContinue() {
        continueScheduled = false;
        return runTurn();
    }

    private Behavior<Command> onFlush() {
        return workThenRun(runner::onFlushTimeout);
    }

    private Behavior<Command> onPoll() {
        return runTurn();
    }

    private Behavior<Command> onPostStop() {
        runner.close();
        return this;
    }

    /** A turn of the input loop. */
    private Behavior<Command> runTurn() {
        return workThenRun(() -> { });
    }

    /** Runner work, then a turn of the input loop (which may have been waiting for it). */
    private Behavior<Command> workThenRun(Runnable work) {
        return work(() -> {
            work.run();
            if (!runner.isFinished()) {
                carryOut(runner.run());
            }
        });
    }

    /** Runs runner work; a user failure (or a runtime bug) fails this subtask. */
    private Behavior<Command> work(Runnable work) {
        try {
            work.run();
            return this;
        } catch (UserFunctionException e) {
            return fail(e.operatorName(), e.getCause());
        } catch (RuntimeException e) {
            return fail(headName, e);
        }
    }

    private void carryOut(SubtaskRunner.Step step) {
        switch (step) {
            case YIELD -> scheduleContinue();
            case POLL_LATER -> pollWhenAvailable();
            case FINISHED -> {
                // Checkpoint timeouts stay: a finished producer may still have to send a barrier ahead.
                timers.cancel(Tick.FLUSH);
                timers.cancel(Tick.POLL);
                // Without checkpoints after the end of input no checkpoint could commit it (as in Flink).
                awaitingCommit = environment.checkpointSettings().checkpointsAfterInputsEnd() && runner.hasUncommittedOutput();
                reportFinished();
            }
            case BLOCKED, IDLE -> {
                // Woken by the next release or delivery.
            }
        }
    }

    /** Reads the source again when it says it has records, or after the idle poll interval if it cannot say. */
    private void pollWhenAvailable() {
        Optional<CompletionStage<?>> available = runner.whenSourceAvailable();
        if (available.isEmpty()) {
            timers.startSingleTimer(Tick.POLL, environment.settings().idleSourcePollInterval());
        } else if (availabilityAwaited != available.get()) {
            availabilityAwaited = available.get();
            available.get().whenComplete((ok, failure) -> self.tell(Tick.POLL));
        } else if (available.get().toCompletableFuture().isDone()) {
            // The same stage again, already fired: the source has nothing after all; poll.
            timers.startSingleTimer(Tick.POLL, environment.settings().idleSourcePollInterval());
        }
    }

    private void scheduleContinue() {
        if (!continueScheduled) {
            continueScheduled = true;
            self.tell(Tick.CONTINUE);
        }
    }

    /**
     * Reports the end to the job. A job on another node gets what collecting sinks collected in
     * parts first, as one report may not exceed an Artery message.
     */
    private void reportFinished() {
        List<SubtaskProtocol.SinkResult> sinks = runner.sinkResults();
        if (environment.job().path().address().hasGlobalScope()) {
            List<SubtaskProtocol.SinkResult> reported = new ArrayList<>(sinks.size());
            for (SubtaskProtocol.SinkResult sink : sinks) {
                if (sink.collected().isPresent()) {
                    try {
                        for (byte[] part : environment.inFlightCodec().encodeInParts(sink.collected().get(),
                                dev.snapflow.engine.runtime.channel.ChannelWireCodec.maxMessageBytes(
                                        getContext().getSystem().settings().config()))) {
                            environment.job().tell(new SubtaskProtocol.CollectedPart(id, sink.operatorName(), part));
                        }
                    } catch (java.io.IOException e) {
                        throw new UserFunctionException(sink.operatorName(), new IllegalStateException("The records sink '"
                                + sink.operatorName() + "' collected cannot be sent to the job's node: " + e.getMessage(), e));
                    }
                    sink = new SubtaskProtocol.SinkResult(sink.operatorName(), sink.records(), java.util.Optional.of(List.of()));
                }
                reported.add(sink);
            }
            sinks = reported;
        }
        environment.job().tell(new SubtaskProtocol.SubtaskFinished(id, sinks, awaitingCommit));
    }

    /**
     * The subtask failed: it reports it to the job and, until the job stops it, ignores everything
     * (its runner is closed, its timers cancelled).
     */
    private Behavior<Command> fail(String operatorName, Throwable cause) {
        timers.cancelAll();
        runner.close();
        environment.job().tell(new SubtaskProtocol.SubtaskFailed(id, operatorName, cause));
        return Behaviors.ignore();
    }
}
