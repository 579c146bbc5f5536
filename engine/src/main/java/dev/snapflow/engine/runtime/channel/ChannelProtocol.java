package dev.snapflow.engine.runtime.channel;

import akka.actor.DeadLetterSuppression;
import akka.actor.NoSerializationVerificationNeeded;

import java.util.List;

/**
 * The messages between channels and subtasks (rules C1–C8 in {@code protocols.md}). A channel
 * receives {@link ChannelCommand}s; it sends {@link ConsumerMessage}s to its consumer subtask
 * and {@link ProducerMessage}s to its producer subtask.
 *
 * <p>A channel lives on its producer's node. Inside one node record batches travel as objects,
 * so the messages between a producer and its channel are local-only
 * ({@link NoSerializationVerificationNeeded}). A consumer on another node gets
 * {@link EncodedDelivery}s instead of {@link Deliver}s; credits and backlog announcements cross
 * nodes as they are (see {@code RuntimeMessageSerializer}).
 *
 * <p>All of them are {@link DeadLetterSuppression}: when a job ends or is cancelled, flow-control
 * messages still on their way to stopped actors are expected and not worth a log line.
 */
public final class ChannelProtocol {

    private ChannelProtocol() {
    }

    /** What a channel accepts. */
    public sealed interface ChannelCommand extends DeadLetterSuppression permits Push, GrantCredit {
    }

    /**
     * Producer → channel: append a batch or an event. The producer sends a data batch only while
     * it holds a free slot (C5); events need none.
     */
    public record Push(ChannelItem item) implements ChannelCommand, NoSerializationVerificationNeeded {
        public Push {
            java.util.Objects.requireNonNull(item, "item");
        }
    }

    /** Consumer → channel: the consumer has room for {@code credits} more data batches (C2). */
    public record GrantCredit(int credits) implements ChannelCommand {
        public GrantCredit {
            if (credits < 1) {
                throw new IllegalArgumentException("credits must be >= 1, was " + credits);
            }
        }
    }

    /** What a channel tells its consumer. */
    public sealed interface ConsumerMessage extends DeadLetterSuppression
            permits Deliver, EncodedDelivery, UndecodableDelivery, ChannelBecameNonEmpty {
    }

    /**
     * Channel → consumer: items in channel order, at most one data batch per credit (C2, C3).
     *
     * @param channelIndex the consumer's index for this channel
     * @param backlog      data batches still queued in the channel after these
     */
    public record Deliver(int channelIndex, List<ChannelItem> items, int backlog)
            implements ConsumerMessage, NoSerializationVerificationNeeded {
        public Deliver {
            items = List.copyOf(items);
        }
    }

    /**
     * Channel → consumer on another node: a delivery already written in the wire format of
     * {@link ChannelWireCodec} (its buffers in the serialization module's format), at most one
     * Artery frame. The receiving node's serializer turns it back into a {@link Deliver}, off the
     * consumer's thread.
     *
     * @param bytes the whole message; owned by it once sent
     */
    public record EncodedDelivery(byte[] bytes) implements ConsumerMessage {
        public EncodedDelivery {
            java.util.Objects.requireNonNull(bytes, "bytes");
        }
    }

    /**
     * What a consumer's node makes of an {@link EncodedDelivery} it cannot read (records of a class
     * it lacks, damaged bytes): the consumer fails with {@code reason}, rather than the delivery
     * being dropped and the job waiting for it forever.
     */
    public record UndecodableDelivery(int channelIndex, String reason) implements ConsumerMessage, NoSerializationVerificationNeeded {
    }

    /**
     * Channel → consumer: data is waiting and no credit is left (C4), so the consumer may lend
     * the channel credits from its floating pool.
     */
    public record ChannelBecameNonEmpty(int channelIndex, int backlog) implements ConsumerMessage {
    }

    /** What a channel tells its producer. */
    public sealed interface ProducerMessage extends DeadLetterSuppression
            permits BuffersReleased, InFlightCaptured, InFlightCaptureFailed, DeliveryFailed {
    }

    /**
     * Channel → producer: {@code count} data batches left the channel, so the producer has that
     * many slots back (C6).
     *
     * @param edgeId      the producer's output edge
     * @param targetIndex the channel's index among that edge's channels of the producer
     */
    public record BuffersReleased(int edgeId, int targetIndex, int count) implements ProducerMessage, NoSerializationVerificationNeeded {
    }

    /**
     * Channel → producer: the unaligned barrier of checkpoint {@code checkpointId} overtook these
     * data batches (oldest first, still to be delivered): they are the channel's in-flight output
     * for that checkpoint (C8).
     */
    public record InFlightCaptured(int edgeId, int targetIndex, long checkpointId, byte[] overtaken)
            implements ProducerMessage, NoSerializationVerificationNeeded {
        public InFlightCaptured {
            java.util.Objects.requireNonNull(overtaken, "overtaken");
        }
    }

    /**
     * Channel → producer: the data batches an unaligned barrier overtook could not be serialized
     * into the checkpoint; the producer fails with {@code reason}, which names the record type.
     */
    public record InFlightCaptureFailed(int edgeId, int targetIndex, long checkpointId, String reason)
            implements ProducerMessage, NoSerializationVerificationNeeded {
    }

    /**
     * Channel → producer: the channel cannot send its data to the consumer's node (a record cannot
     * be serialized, or alone exceeds an Artery frame); the producer fails with {@code reason}.
     */
    public record DeliveryFailed(int edgeId, int targetIndex, String reason)
            implements ProducerMessage, NoSerializationVerificationNeeded {
    }
}
