package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.serialization.akka.CborSerializable;
import akka.actor.typed.ActorRef;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointProtocol;
import dev.snapflow.engine.runtime.channel.ChannelProtocol;

import java.util.List;
import java.util.Optional;

/**
 * How a subtask reports to its job, which may be on another node (finish and failure reports in
 * the runtime's binary format, the rest as CBOR): declared here, in the runtime layer, so that the job layer
 * above depends on it and not the other way round.
 */
public final class SubtaskProtocol {

    private SubtaskProtocol() {
    }

    /** What a subtask tells its job. */
    public sealed interface SubtaskEvent permits SubtaskStarted, CollectedPart, SubtaskFinished, OutputCommitted, SubtaskFailed {
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
            ActorRef<CheckpointProtocol.SubtaskCheckpointCommand> checkpointRef) implements SubtaskEvent, CborSerializable {
    }

    /**
     * The subtask's input ended and all its output was handed to its channels. Sinks report
     * what they received and, for collecting sinks, the records.
     *
     * @param awaitsCommit true if a transactional sink of the subtask holds output that only a
     *                     checkpoint taken from now on commits; {@link OutputCommitted} follows then
     */
    public record SubtaskFinished(SubtaskId subtask, List<SinkResult> sinks, boolean awaitsCommit)
            implements SubtaskEvent {
        public SubtaskFinished {
            sinks = List.copyOf(sinks);
        }
    }

    /**
     * Sent before {@link SubtaskFinished} by a subtask whose job runs on another node: part of the
     * records a collecting sink collected, written by the node's value codec in the chunk format of
     * {@code InFlightCodec}, each part small enough for one Artery message. The report that follows
     * lists the sink's collected records as empty; the job joins the parts in the order sent.
     */
    public record CollectedPart(SubtaskId subtask, String sinkName, byte[] records) implements SubtaskEvent, CborSerializable {
    }

    /** A finished subtask that awaited a commit has committed all its output. */
    public record OutputCommitted(SubtaskId subtask) implements SubtaskEvent, CborSerializable {
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
            implements SubtaskEvent {
    }
}
