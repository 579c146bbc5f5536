package dev.snapflow.engine.runtime.subtask;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointProtocol;
import dev.snapflow.engine.runtime.channel.ChannelProtocol;

import java.util.List;
import java.util.Optional;

/**
 * How a subtask reports to its job: declared here, in the runtime layer, so that the job layer
 * above depends on it and not the other way round.
 */
public final class SubtaskProtocol {

    private SubtaskProtocol() {
    }

    /** What a subtask tells its job. */
    public sealed interface SubtaskEvent permits SubtaskStarted, SubtaskFinished, OutputCommitted, SubtaskFailed {
        SubtaskId subtask();
    }

    /**
     * Sent once the subtask exists: the refs its channels deliver to and the coordinator triggers. The job creates the
     * channels with them, then sends {@code ConnectChannels}.
     */
    public record SubtaskStarted(
            SubtaskId subtask,
            ActorRef<ChannelProtocol.ConsumerMessage> consumerRef,
            ActorRef<ChannelProtocol.ProducerMessage> producerRef,
            ActorRef<CheckpointProtocol.SubtaskCheckpointCommand> checkpointRef) implements SubtaskEvent {
    }

    /**
     * The subtask's input ended and all its output was handed to its channels. Sinks report
     * what they received and, for collecting sinks, the records.
     *
     * @param awaitsCommit true if a transactional sink of the subtask holds output that only a
     *                     checkpoint taken from now on commits; {@link OutputCommitted} follows then
     */
    public record SubtaskFinished(SubtaskId subtask, List<SinkResult> sinks, boolean awaitsCommit)
            implements SubtaskEvent, NoSerializationVerificationNeeded {
        public SubtaskFinished {
            sinks = List.copyOf(sinks);
        }
    }

    /** A finished subtask that awaited a commit has committed all its output. */
    public record OutputCommitted(SubtaskId subtask) implements SubtaskEvent {
    }

    /** One sink operator's outcome in one subtask. */
    public record SinkResult(String operatorName, long records, Optional<List<Object>> collected) {
    }

    /**
     * A user function, source or sink threw (or the runtime failed); the subtask has stopped
     * processing and waits to be stopped.
     *
     * @param operatorName the operator that threw
     */
    public record SubtaskFailed(SubtaskId subtask, String operatorName, Throwable cause)
            implements SubtaskEvent, NoSerializationVerificationNeeded {
    }
}
