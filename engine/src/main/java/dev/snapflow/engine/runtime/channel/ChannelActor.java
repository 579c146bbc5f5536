package dev.snapflow.engine.runtime.channel;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.snapflow.serialization.event.CheckpointBarrier;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The shell around one {@link ChannelQueue}: it turns pushes and credits into queue calls and
 * sends what the queue decides to deliver, release or announce. One per producer→consumer
 * subtask pair. It runs until its job stops it.
 */
public final class ChannelActor extends AbstractBehavior<ChannelProtocol.ChannelCommand> {

    /** Who this channel connects and how the two ends call it. */
    public record Endpoints(
            ActorRef<ChannelProtocol.ConsumerMessage> consumer,
            int consumerChannelIndex,
            ActorRef<ChannelProtocol.ProducerMessage> producer,
            int producerEdgeId,
            int producerTargetIndex) {
    }

    private static final byte[] NOTHING = new byte[0];

    private final ChannelQueue queue;
    private final Endpoints endpoints;
    private final InFlightCodec codec;
    private final ChannelMetrics metrics;
    /** Present when the consumer is on another node: deliveries are written in the wire format. */
    private final Optional<ChannelWireCodec> wire;
    /** The newest checkpoint whose barrier this channel delivered; a later priority copy of it is stale. */
    private long lastDeliveredBarrierId = -1;

    private ChannelActor(ActorContext<ChannelProtocol.ChannelCommand> context, ChannelQueue queue, Endpoints endpoints,
                         ChannelMetrics metrics, InFlightCodec codec, Optional<ChannelWireCodec> wire) {
        super(context);
        this.wire = wire;
        this.queue = queue;
        this.endpoints = endpoints;
        this.codec = codec;
        this.metrics = metrics;
    }

    /** @param codec serializes the batches an unaligned barrier overtakes here, for the checkpoint */
    public static Behavior<ChannelProtocol.ChannelCommand> create(int capacity, Endpoints endpoints, ChannelMetrics metrics,
                                                                  InFlightCodec codec) {
        return create(capacity, endpoints, metrics, codec, Optional.empty());
    }

    /**
     * @param wire present when the consumer is on another node: the codec that writes what this
     *             channel delivers (on this channel's thread, not the producer's)
     */
    public static Behavior<ChannelProtocol.ChannelCommand> create(int capacity, Endpoints endpoints, ChannelMetrics metrics,
                                                                  InFlightCodec codec, Optional<ChannelWireCodec> wire) {
        return Behaviors.setup(context -> new ChannelActor(context, new ChannelQueue(capacity), endpoints, metrics, codec, wire));
    }

    @Override
    public Receive<ChannelProtocol.ChannelCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(ChannelProtocol.Push.class, this::onPush)
                .onMessage(ChannelProtocol.GrantCredit.class, this::onGrantCredit)
                .build();
    }

    private Behavior<ChannelProtocol.ChannelCommand> onPush(ChannelProtocol.Push push) {
        if (push.item() instanceof EventItem event && event.priority()
                && event.event() instanceof CheckpointBarrier barrier) {
            if (barrier.id() <= lastDeliveredBarrierId) {
                return this; // a timed-out barrier's priority copy, but the barrier itself got through first
            }
            // Rule C8: the overtaken batches are still delivered, and are the barrier's checkpoint's in-flight output.
            // They are serialized now, while this channel is their only holder: once delivered, the consumer may change them.
            List<RecordBatch> overtaken = queue.enqueuePriority(event);
            try {
                endpoints.producer().tell(new ChannelProtocol.InFlightCaptured(endpoints.producerEdgeId(),
                        endpoints.producerTargetIndex(), barrier.id(), codec.encode(overtaken)));
            } catch (IOException e) {
                endpoints.producer().tell(new ChannelProtocol.InFlightCaptureFailed(endpoints.producerEdgeId(),
                        endpoints.producerTargetIndex(), barrier.id(), e.getMessage()));
            }
        } else if (queue.enqueue(push.item())) {
            endpoints.consumer().tell(new ChannelProtocol.ChannelBecameNonEmpty(endpoints.consumerChannelIndex(), queue.queuedData()));
        }
        deliver();
        return this;
    }

    private Behavior<ChannelProtocol.ChannelCommand> onGrantCredit(ChannelProtocol.GrantCredit grant) {
        queue.grant(grant.credits());
        deliver();
        return this;
    }

    private void deliver() {
        ChannelQueue.Delivery delivery = queue.drain();
        if (!delivery.isEmpty()) {
            send(delivery);
            for (ChannelItem item : delivery.items()) {
                if (item instanceof EventItem event && event.event() instanceof CheckpointBarrier barrier) {
                    lastDeliveredBarrierId = Math.max(lastDeliveredBarrierId, barrier.id());
                    if (!event.priority() && barrier.options().isTimeoutable()) {
                        // Rule C8: it got through in order, overtaking nothing.
                        endpoints.producer().tell(new ChannelProtocol.InFlightCaptured(endpoints.producerEdgeId(),
                                endpoints.producerTargetIndex(), barrier.id(), NOTHING));
                    }
                }
            }
        }
        if (delivery.deliveredData() > 0) {
            endpoints.producer().tell(new ChannelProtocol.BuffersReleased(
                    endpoints.producerEdgeId(), endpoints.producerTargetIndex(), delivery.deliveredData()));
        }
        metrics.update(queue);
    }

    private void send(ChannelQueue.Delivery delivery) {
        if (wire.isEmpty()) {
            endpoints.consumer().tell(new ChannelProtocol.Deliver(endpoints.consumerChannelIndex(), delivery.items(), delivery.backlog()));
            return;
        }
        try {
            for (ChannelProtocol.EncodedDelivery message
                    : wire.get().encode(endpoints.consumerChannelIndex(), delivery.items(), delivery.backlog())) {
                endpoints.consumer().tell(message);
            }
        } catch (IOException e) {
            endpoints.producer().tell(new ChannelProtocol.DeliveryFailed(endpoints.producerEdgeId(),
                    endpoints.producerTargetIndex(), e.getMessage()));
        }
    }
}
