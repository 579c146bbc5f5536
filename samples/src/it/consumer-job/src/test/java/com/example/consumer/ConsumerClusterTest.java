package com.example.consumer;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.JobResult;
import dev.snapflow.engine.SnapflowCluster;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.cluster.ClusterJob;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.JobParameters;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.serialization.record.RecordSerializers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's own job on a two-node cluster (two actor systems in this JVM on 127.0.0.1),
 * keyed by the application's record type, with every message serialized and Java serialization off.
 */
class ConsumerClusterTest {

    /** The application's key: a record. */
    record Store(String city, int number) {
    }

    /** The application's event: a record holding its key and an enum. */
    record Sale(Store store, Channel channel, long cents) {
    }

    enum Channel { ONLINE, SHOP }

    static Sale sale(long i) {
        return new Sale(new Store(i % 2 == 0 ? "Lyon" : "Oslo", (int) (i % 13)), Channel.values()[(int) (i % 2)], i % 500);
    }

    /** Revenue per store, emitted on every sale. */
    static final class Revenue implements KeyedProcessFunction<Store, Sale, String> {
        private static final StateDescriptor.Value<Long> TOTAL = new StateDescriptor.Value<>("total", RecordSerializers.longs());

        @Override
        public void processElement(Sale sale, Context<Store> context, Collector<String> out) {
            ValueState<Long> total = context.keyedState().state(TOTAL);
            long next = (total.value() == null ? 0 : total.value()) + sale.cents();
            total.update(next);
            out.collect(sale.store().city() + "#" + sale.store().number() + "=" + next);
        }
    }

    @TempDir
    Path checkpoints;

    @Test
    void a_keyed_job_of_the_applications_types_runs_across_two_nodes() throws Exception {
        Config config = ConfigFactory.parseString("""
                akka.actor.provider = cluster
                akka.remote.artery.canonical.hostname = "127.0.0.1"
                akka.remote.artery.canonical.port = 0
                akka.actor.allow-java-serialization = off
                akka.actor.serialize-messages = on
                akka.cluster.jmx.multi-mbeans-in-same-jvm = on
                snapflow.cluster.slots = 1
                """).withFallback(ConfigFactory.load());
        ActorSystem<Void> first = ActorSystem.create(Behaviors.empty(), "shop", config);
        ActorSystem<Void> second = ActorSystem.create(Behaviors.empty(), "shop", config);
        try {
            for (ActorSystem<Void> node : List.of(first, second)) {
                Cluster.get(node).manager().tell(Join.create(Cluster.get(first).selfMember().address()));
                SnapflowCluster.get(node).registerJob("revenue", parameters -> {
                    JobBuilder job = JobBuilder.create("revenue").defaultParallelism(2);
                    job.source("sales", Sources.generator(parameters.getLong("sales", 0), ConsumerClusterTest::sale))
                            .keyBy(Sale::store)
                            .process("revenue", Revenue::new)
                            .sink("out", Sinks.<String>collect());
                    return ClusterJob.of(job.build()).withCheckpointSettings(CheckpointSettings.create(node)
                            .withDirectory(Path.of(parameters.get("checkpoints").orElseThrow()))
                            .withInterval(Duration.ofMillis(20)));
                });
            }
            ActorTestKit kit = ActorTestKit.create(first);
            kit.createTestProbe().awaitAssert(Duration.ofSeconds(30), () -> {
                assertThat(StreamSupport.stream(Cluster.get(first).state().getMembers().spliterator(), false)
                        .filter(member -> member.status() == MemberStatus.up()).count()).isEqualTo(2);
                assertThat(SnapflowCluster.get(first).freeSlots(Duration.ofSeconds(3)).toCompletableFuture().join()).isEqualTo(2);
                return null;
            });

            long sales = 40_000;
            JobHandle job = SnapflowCluster.get(second).submit("revenue", JobParameters.empty()
                    .with("sales", Long.toString(sales)).with("checkpoints", checkpoints.toString()));
            JobResult result = job.result().toCompletableFuture().get(60, TimeUnit.SECONDS);

            Map<String, Long> expected = new HashMap<>();
            for (long i = 0; i < sales; i++) {
                Sale sale = sale(i);
                expected.merge(sale.store().city() + "#" + sale.store().number(), sale.cents(), Long::sum);
            }
            Map<String, Long> finalTotals = new HashMap<>();
            for (String line : result.<String>collected("out")) {
                String[] parts = line.split("=");
                finalTotals.merge(parts[0], Long.parseLong(parts[1]), Math::max);
            }
            assertThat(result.<String>collected("out")).hasSize((int) sales);
            assertThat(finalTotals).isEqualTo(expected);
        } finally {
            ActorTestKit.shutdown(second, Duration.ofSeconds(30), false);
            ActorTestKit.shutdown(first, Duration.ofSeconds(30), false);
        }
    }
}
