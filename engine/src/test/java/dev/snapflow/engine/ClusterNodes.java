package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several cluster members in this JVM, on 127.0.0.1 with ports the OS picks, as Akka's own
 * cluster tests run them: every message of a job is serialized (also between actors of one
 * node), Java serialization is off, and a node can be stopped crash-like (without leaving), so
 * the others see it unreachable and the Split Brain Resolver downs it.
 */
final class ClusterNodes implements AutoCloseable {

    static final Config CONFIG = ConfigFactory.parseString("""
            akka.actor.provider = cluster
            akka.remote.artery.canonical.hostname = "127.0.0.1"
            akka.remote.artery.canonical.port = 0
            akka.actor.allow-java-serialization = off
            akka.actor.serialize-messages = on
            akka.cluster.jmx.multi-mbeans-in-same-jvm = on
            # A stopped node stops as if it crashed: it does not leave the cluster first.
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            akka.coordinated-shutdown.terminate-actor-system = off
            akka.cluster.run-coordinated-shutdown-when-down = off
            akka.cluster.split-brain-resolver.stable-after = 1s
            akka.cluster.failure-detector.heartbeat-interval = 200ms
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 1s
            akka.cluster.unreachable-nodes-reaper-interval = 200ms
            akka.remote.artery.advanced.give-up-system-message-after = 5s
            akka.loglevel = INFO
            snapflow.cluster.slots = 2
            """).withFallback(ConfigFactory.load()).resolve();

    /** Checkpoints into {@code directory} every {@code interval} in {@code mode}: aligned, unaligned or at-least-once. */
    static dev.snapflow.engine.config.CheckpointSettings checkpoints(java.nio.file.Path directory, Duration interval, String mode) {
        dev.snapflow.engine.config.CheckpointSettings checkpoints = dev.snapflow.engine.config.CheckpointSettings.create(CONFIG)
                .withDirectory(directory).withInterval(interval);
        return switch (mode) {
            case "at-least-once" -> checkpoints.withMode(dev.snapflow.engine.config.CheckpointSettings.Mode.AT_LEAST_ONCE);
            case "unaligned" -> checkpoints.withUnaligned(true);
            default -> checkpoints;
        };
    }

    private final List<ActorSystem<Void>> nodes = new ArrayList<>();
    private final List<ActorTestKit> testKits = new ArrayList<>();

    /** Starts {@code count} members and waits until all are up. */
    static ClusterNodes start(int count) {
        return start(count, CONFIG);
    }

    static ClusterNodes start(int count, Config config) {
        ClusterNodes cluster = new ClusterNodes();
        for (int i = 0; i < count; i++) {
            ActorSystem<Void> node = ActorSystem.create(Behaviors.empty(), "snapflow", config);
            cluster.nodes.add(node);
            cluster.testKits.add(ActorTestKit.create(node));
        }
        akka.actor.Address first = Cluster.get(cluster.nodes.get(0)).selfMember().address();
        cluster.nodes.forEach(node -> Cluster.get(node).manager().tell(Join.create(first)));
        cluster.awaitMembersUp(count);
        return cluster;
    }

    ActorSystem<Void> node(int index) {
        return nodes.get(index);
    }

    int size() {
        return nodes.size();
    }

    <T> TestProbe<T> probe(int node) {
        return testKits.get(node).createTestProbe();
    }

    /** Waits until every running node sees {@code count} members up. */
    void awaitMembersUp(int count) {
        TestProbe<Object> probe = probe(0);
        probe.awaitAssert(Duration.ofSeconds(20), () -> {
            for (ActorSystem<Void> node : nodes) {
                if (node.getWhenTerminated().toCompletableFuture().isDone()) {
                    continue;
                }
                long up = StreamSupport.stream(Cluster.get(node).state().getMembers().spliterator(), false)
                        .filter(member -> member.status() == MemberStatus.up()).count();
                assertThat(up).as("members up as " + node.address()).isEqualTo(count);
            }
            return null;
        });
    }

    /** Waits until node {@code index} sees {@code slots} free slots on the workers: every node registered its jobs. */
    void awaitFreeSlots(int index, int slots) {
        probe(index).awaitAssert(Duration.ofSeconds(20), () -> {
            assertThat(SnapflowCluster.get(nodes.get(index)).freeSlots(Duration.ofSeconds(3)).toCompletableFuture().join())
                    .as("free slots as node " + index + " sees them").isEqualTo(slots);
            return null;
        });
    }

    /** Stops node {@code index} as a crash would: it does not leave, the others have to down it. */
    void crash(int index) {
        ActorSystem<Void> node = nodes.get(index);
        node.terminate();
        node.getWhenTerminated().toCompletableFuture().join();
    }

    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            ActorTestKit.shutdown(nodes.get(i), Duration.ofSeconds(30), false);
        }
    }
}
