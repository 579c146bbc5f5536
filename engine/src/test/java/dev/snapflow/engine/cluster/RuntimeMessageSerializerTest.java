package dev.snapflow.engine.cluster;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializers;
import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointCoordinatorActor;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointProtocol;
import dev.snapflow.engine.checkpoint.coordinator.SubtaskCheckpointMetrics;
import dev.snapflow.engine.config.JobParameters;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.job.DeploymentProtocol;
import dev.snapflow.engine.runtime.channel.ChannelItem;
import dev.snapflow.engine.runtime.channel.ChannelProtocol;
import dev.snapflow.engine.runtime.channel.EventItem;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.engine.runtime.subtask.SubtaskProtocol;
import dev.snapflow.engine.storage.StateHandle;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.CheckpointOptions;
import dev.snapflow.serialization.event.CheckpointStorageLocationReference;
import dev.snapflow.serialization.event.CheckpointType;
import dev.snapflow.serialization.record.Tuple2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every message that crosses nodes in a cluster job goes through Akka's serialization and comes
 * back equal (or, for deliveries and failures, as what the receiving node makes of them), with
 * no Java serialization.
 */
class RuntimeMessageSerializerTest {

    enum Shade { LIGHT, DARK }

    record Paint(String name, Shade shade, double litres) {
    }

    private static ActorTestKit testKit;
    private static Serialization serialization;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create(com.typesafe.config.ConfigFactory.parseString(
                "akka.actor.allow-java-serialization = off").withFallback(com.typesafe.config.ConfigFactory.load()));
        serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    private static Object roundTrip(Object message) {
        akka.serialization.Serializer serializer = serialization.findSerializerFor(message);
        assertThat(serializer.getClass().getSimpleName()).as("serializer of " + message.getClass().getSimpleName())
                .isIn("RuntimeMessageSerializer", "JacksonCborSerializer");
        byte[] bytes = serialization.serialize(message).get();
        return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message)).get();
    }

    private static final CheckpointBarrier BARRIER = new CheckpointBarrier(5, 777, CheckpointOptions.alignedWithTimeout(
            CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.DEFAULT, 20));

    @Test
    void when_flow_control_checkpoint_and_report_messages_cross_nodes_then_they_come_back_equal() {
        TestProbe<Object> probe = testKit.createTestProbe();
        SubtaskId subtask = new SubtaskId(2, 1);
        List<Object> messages = List.of(
                new ChannelProtocol.GrantCredit(3),
                new ChannelProtocol.ChannelBecameNonEmpty(4, 17),
                new CheckpointProtocol.TriggerCheckpoint(BARRIER),
                new CheckpointProtocol.NotifyCheckpointComplete(5),
                new CheckpointProtocol.NotifyCheckpointAborted(6),
                new CheckpointCoordinatorActor.AcknowledgeCheckpoint(subtask, 5, new StateHandle(5, subtask, "chk-5/2-1", 100, 42),
                        new SubtaskCheckpointMetrics(1, 2, 3, 4, 5, 6, true)),
                new CheckpointCoordinatorActor.DeclineCheckpoint(subtask, 5, CheckpointFailureReason.CHECKPOINT_DECLINED, "no"),
                new SubtaskProtocol.SubtaskStarted(subtask, probe.ref().unsafeUpcast(), probe.ref().unsafeUpcast(),
                        probe.ref().unsafeUpcast()),
                new SubtaskProtocol.OutputCommitted(subtask),
                new DeploymentProtocol.DescribeSlots(probe.ref().unsafeUpcast()),
                new DeploymentProtocol.DeployPart("orders", JobParameters.empty().with("records", "10"), "orders-1", 2,
                        List.of(subtask), Map.of("totals", 128), Optional.of(new DeploymentProtocol.RestoreSource(4,
                        Optional.of("/tmp/savepoint"), true)), probe.ref().unsafeUpcast(), probe.ref().unsafeUpcast(), probe.ref()),
                new DeploymentProtocol.SpawnChannels(1, List.of(new DeploymentProtocol.ChannelSpec("a -> b", 0, 1,
                        probe.ref().unsafeUpcast(), 2, probe.ref().unsafeUpcast(), true))),
                new DeploymentProtocol.ChannelsSpawned(1, List.of(probe.ref().unsafeUpcast())),
                new DeploymentProtocol.Connect(List.of(new DeploymentProtocol.SubtaskConnection(subtask,
                        List.of(probe.ref().unsafeUpcast()), Map.of(0, List.of(probe.ref().unsafeUpcast())),
                        Map.of(0, java.util.Set.of(0)))), probe.ref().unsafeUpcast()),
                new DeploymentProtocol.HostStarted(probe.ref().unsafeUpcast(), "node"),
                new DeploymentProtocol.DeployFailed("node", "not registered"));

        for (Object message : messages) {
            assertThat(roundTrip(message)).as(message.getClass().getSimpleName()).isEqualTo(message);
        }
    }

    @Test
    void when_a_subtask_reports_collected_records_and_a_failure_across_nodes_then_the_job_reads_them() {
        SubtaskId subtask = new SubtaskId(1, 0);
        SubtaskProtocol.SubtaskFinished finished = new SubtaskProtocol.SubtaskFinished(subtask, List.of(
                new SubtaskProtocol.SinkResult("out", 2, Optional.of(List.of(new Paint("sky", Shade.LIGHT, 2.5), Tuple2.of("n", 1L)))),
                new SubtaskProtocol.SinkResult("files", 7, Optional.empty())), true);
        assertThat(roundTrip(finished)).isEqualTo(finished);

        IllegalStateException cause = new IllegalStateException("disk full");
        SubtaskProtocol.SubtaskFailed failed = (SubtaskProtocol.SubtaskFailed) roundTrip(new SubtaskProtocol.SubtaskFailed(subtask, "sum",
                new RuntimeException("sum failed", cause)));
        assertThat(failed.subtask()).isEqualTo(subtask);
        assertThat(failed.operatorName()).isEqualTo("sum");
        RemoteFailure failure = (RemoteFailure) failed.cause();
        assertThat(failure.originalClassName()).isEqualTo("java.lang.RuntimeException");
        assertThat(failure).hasMessage("sum failed").hasToString("java.lang.RuntimeException: sum failed");
        assertThat(failure.getStackTrace()).isNotEmpty();
        assertThat(((RemoteFailure) failure.getCause()).originalClassName()).isEqualTo("java.lang.IllegalStateException");
        assertThat(failure.getCause()).hasMessage("disk full");
    }

    @Test
    void when_a_failure_has_a_huge_message_and_a_deep_stack_then_its_report_stays_small() {
        RuntimeException failure = new RuntimeException("m".repeat(1_000_000));
        failure.setStackTrace(java.util.stream.IntStream.range(0, 10_000)
                .mapToObj(i -> new StackTraceElement("a.B" + i, "run", "B.java", i)).toArray(StackTraceElement[]::new));

        byte[] bytes = serialization.serialize(new SubtaskProtocol.SubtaskFailed(new SubtaskId(0, 0), "op", failure)).get();
        SubtaskProtocol.SubtaskFailed failed = (SubtaskProtocol.SubtaskFailed) roundTrip(
                new SubtaskProtocol.SubtaskFailed(new SubtaskId(0, 0), "op", failure));

        assertThat(bytes.length).isLessThan(64 * 1024);
        assertThat(failed.cause().getMessage()).startsWith("mmmm").endsWith("(1000000 characters)");
        assertThat(failed.cause().getStackTrace()).hasSize(128);
    }

    @Test
    void when_an_encoded_delivery_arrives_then_the_receiving_node_reads_it_back_into_records_or_a_failure() throws Exception {
        var codec = RuntimeMessageSerializer.wireCodec((akka.actor.ExtendedActorSystem) Adapter.toClassic(testKit.system()),
                dev.snapflow.serialization.record.ValueCodec.create(testKit.system()));
        List<ChannelItem> items = List.of(new RecordBatch(new Object[]{new Paint("sea", Shade.DARK, 1), new Paint("sun", Shade.LIGHT, 3)}, 2),
                new EventItem(BARRIER, true));
        ChannelProtocol.EncodedDelivery encoded = codec.encode(3, items, 1).get(0);

        ChannelProtocol.Deliver delivered = (ChannelProtocol.Deliver) roundTrip(encoded);
        assertThat(delivered.channelIndex()).isEqualTo(3);
        RecordBatch batch = (RecordBatch) delivered.items().get(0);
        assertThat(Arrays.asList(batch.records()).subList(0, batch.size()))
                .containsExactly(new Paint("sea", Shade.DARK, 1), new Paint("sun", Shade.LIGHT, 3));
        assertThat(delivered.items().get(1)).isEqualTo(new EventItem(BARRIER, true));

        byte[] damaged = Arrays.copyOf(encoded.bytes(), encoded.bytes().length - 3);
        Object undecodable = roundTrip(new ChannelProtocol.EncodedDelivery(damaged));
        assertThat(undecodable).isInstanceOf(ChannelProtocol.UndecodableDelivery.class);
        assertThat(((ChannelProtocol.UndecodableDelivery) undecodable).channelIndex()).isEqualTo(3);
    }
}
