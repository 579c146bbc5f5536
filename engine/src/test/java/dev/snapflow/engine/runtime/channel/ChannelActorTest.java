package dev.snapflow.engine.runtime.channel;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.snapflow.serialization.event.EndOfPartitionEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The channel actor against probes standing in for its consumer and producer. */
class ChannelActorTest {

    private static final int CAPACITY = 3;
    private static final Duration QUIET = Duration.ofMillis(200);
    private static ActorTestKit testKit;

    private TestProbe<ChannelProtocol.ConsumerMessage> consumer;
    private TestProbe<ChannelProtocol.ProducerMessage> producer;
    private ChannelMetrics metrics;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    private ActorRef<ChannelProtocol.ChannelCommand> channel() {
        consumer = testKit.createTestProbe();
        producer = testKit.createTestProbe();
        metrics = new ChannelMetrics("test", CAPACITY);
        return testKit.spawn(ChannelActor.create(CAPACITY,
                new ChannelActor.Endpoints(consumer.getRef(), 5, producer.getRef(), 7, 1), metrics,
                new InFlightCodec(dev.snapflow.serialization.record.ValueCodec.create(testKit.system()))));
    }

    private static RecordBatch batch(Object... records) {
        return new RecordBatch(records, records.length);
    }

    private static ChannelProtocol.Push push(ChannelItem item) {
        return new ChannelProtocol.Push(item);
    }

    @Test
    @DisplayName("C2: nothing is delivered without credit")
    void rule_C2_when_no_credit_then_nothing_is_delivered() {
        ActorRef<ChannelProtocol.ChannelCommand> channel = channel();
        channel.tell(push(batch(1)));

        consumer.expectMessage(new ChannelProtocol.ChannelBecameNonEmpty(5, 1));
        consumer.expectNoMessage(QUIET);
        producer.expectNoMessage(QUIET);
    }

    @Test
    @DisplayName("C2, C4: the non-empty notification comes first, the batch once credit is granted")
    void rule_C4_when_data_arrives_without_credit_then_the_consumer_hears_and_gets_it_on_credit() {
        ActorRef<ChannelProtocol.ChannelCommand> channel = channel();
        RecordBatch batch = batch("a", "b");
        channel.tell(push(batch));
        consumer.expectMessage(new ChannelProtocol.ChannelBecameNonEmpty(5, 1));

        channel.tell(new ChannelProtocol.GrantCredit(1));

        ChannelProtocol.Deliver deliver = consumer.expectMessageClass(ChannelProtocol.Deliver.class);
        assertThat(deliver.channelIndex()).isEqualTo(5);
        assertThat(deliver.items()).containsExactly(batch);
        assertThat(deliver.backlog()).isZero();
    }

    @Test
    @DisplayName("C3: order is kept per channel and events interleave with batches")
    void rule_C3_when_batches_and_events_interleave_then_the_consumer_sees_them_in_order() {
        ActorRef<ChannelProtocol.ChannelCommand> channel = channel();
        channel.tell(new ChannelProtocol.GrantCredit(10));
        List<ChannelItem> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RecordBatch batch = batch(i);
            sent.add(batch);
            channel.tell(push(batch));
            EventItem marker = new EventItem(new dev.snapflow.serialization.event.CancelCheckpointMarker(i), false);
            sent.add(marker);
            channel.tell(push(marker));
        }
        EventItem end = new EventItem(EndOfPartitionEvent.INSTANCE, false);
        sent.add(end);
        channel.tell(push(end));

        List<ChannelItem> received = new ArrayList<>();
        while (received.size() < sent.size()) {
            received.addAll(consumer.expectMessageClass(ChannelProtocol.Deliver.class).items());
        }
        assertThat(received).containsExactlyElementsOf(sent);
    }

    @Test
    @DisplayName("C5, C6: a full channel holds its producer back until credit returns")
    void rule_C6_when_the_channel_is_full_then_slots_come_back_only_as_credit_drains_it() {
        ActorRef<ChannelProtocol.ChannelCommand> channel = channel();
        for (int i = 0; i < CAPACITY; i++) {
            channel.tell(push(batch(i)));
        }
        consumer.expectMessageClass(ChannelProtocol.ChannelBecameNonEmpty.class);
        producer.expectNoMessage(QUIET);
        assertThat(metrics.queuedBuffers()).isEqualTo(CAPACITY);

        channel.tell(new ChannelProtocol.GrantCredit(2));

        producer.expectMessage(new ChannelProtocol.BuffersReleased(7, 1, 2));
        ChannelProtocol.Deliver deliver = consumer.expectMessageClass(ChannelProtocol.Deliver.class);
        assertThat(deliver.items()).hasSize(2);
        assertThat(deliver.backlog()).isEqualTo(1);
        assertThat(metrics.maxQueuedBuffers()).isEqualTo(CAPACITY);
        assertThat(metrics.queuedBuffers()).isEqualTo(1);
    }

    @Test
    void when_every_command_kind_is_sent_then_none_is_unhandled() {
        ActorRef<ChannelProtocol.ChannelCommand> channel = channel();
        TestProbe<akka.actor.UnhandledMessage> unhandled = testKit.createUnhandledMessageProbe();
        List<ChannelProtocol.ChannelCommand> oneOfEach = List.of(
                push(batch(1)), new ChannelProtocol.GrantCredit(1));
        assertThat(oneOfEach.stream().map(Object::getClass).toList())
                .containsExactlyInAnyOrder(ChannelProtocol.ChannelCommand.class.getPermittedSubclasses());

        oneOfEach.forEach(channel::tell);

        consumer.expectMessageClass(ChannelProtocol.ChannelBecameNonEmpty.class);
        consumer.expectMessageClass(ChannelProtocol.Deliver.class);
        unhandled.expectNoMessage(QUIET);
    }
}
