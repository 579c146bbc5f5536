package dev.snapflow.engine.runtime.channel;

import akka.actor.DeadLetterSuppression;
import akka.actor.NoSerializationVerificationNeeded;

import java.util.List;

/**
 * The messages between channels and subtasks (rules C1–C8 in {@code protocols.md}). A channel
 * receives {@link ChannelCommand}s; it sends {@link ConsumerMessage}s to its consumer subtask
 * and {@link ProducerMessage}s to its producer subtask.
 *
 * <p>Inside one JVM record batches travel as objects, so these messages are local-only
 * ({@link NoSerializationVerificationNeeded}); crossing nodes turns batches into
 * {@code dev.snapflow.serialization.buffer.Buffer}s.
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
    public sealed interface ConsumerMessage extends DeadLetterSuppression permits Deliver, ChannelBecameNonEmpty {
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
     * Channel → consumer: data is waiting and no credit is left (C4), so the consumer may lend
     * the channel credits from its floating pool.
     */
    public record ChannelBecameNonEmpty(int channelIndex, int backlog) implements ConsumerMessage {
    }

    /** What a channel tells its producer. */
    public sealed interface ProducerMessage extends DeadLetterSuppression permits BuffersReleased, InFlightCaptured, InFlightCaptureFailed {
    }

    /**
     * Channel → producer: {@code count} data batches left the channel, so the producer has that
     * many slots back (C6).
     *
     * @param edgeId      the producer's output edge
     * @param targetIndex the channel's index among that edge's channels of the producer
     */
    public record BuffersReleased(int edgeId, int targetIndex, int count) implements ProducerMessage {
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
}
