package dev.snapflow.engine;

import dev.snapflow.engine.cluster.ClusterJob;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.JobParameters;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.job.JobMasterActor;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.record.Tuple2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A keyed job spread over three members, with every message serialized: records of user types
 * cross nodes in buffers, barriers and checkpoints work in every mode, and the results equal a
 * sequential computation.
 */
class ClusterJobTest {

    enum Category { BOOKS, GAMES, TOOLS }

    /** A record type a user would send: a Java record with an enum field. */
    record Order(String customer, Category category, long amount) {
    }

    /** The running total per customer, emitted on every update. */
    static final class CustomerTotal implements KeyedProcessFunction<String, Order, Tuple2<String, Long>> {
        private static final StateDescriptor.Value<Long> TOTAL = new StateDescriptor.Value<>("total", RecordSerializers.longs());

        @Override
        public void processElement(Order order, Context<String> context, Collector<Tuple2<String, Long>> out) {
            ValueState<Long> total = context.keyedState().state(TOTAL);
            long next = (total.value() == null ? 0 : total.value()) + order.amount();
            total.update(next);
            out.collect(Tuple2.of(order.customer(), next));
        }
    }

    /** How far each source subtask may read: until a checkpoint completed, a part of its input. */
    private static final java.util.concurrent.atomic.AtomicLong GATE = new java.util.concurrent.atomic.AtomicLong();

    static Order order(long i) {
        return new Order("customer-" + (i % 101), Category.values()[(int) (i % 3)], i % 17);
    }

    /** Orders from three sources, totals per customer on three subtasks, a sink on two: two network hops. */
    static ClusterJob orders(JobParameters parameters) {
        long records = parameters.getLong("records", 30_000);
        JobBuilder job = JobBuilder.create("orders").defaultParallelism(3);
        job.source("numbers", new GatedSequence(records, GATE))
                .map("orders", ClusterJobTest::order)
                .keyBy(Order::customer)
                .process("totals", CustomerTotal::new)
                .rebalance()
                .sink("out", Sinks.<Tuple2<String, Long>>collect()).parallelism(2);
        return ClusterJob.of(job.build()).withCheckpointSettings(ClusterNodes.checkpoints(
                Path.of(parameters.get("directory").orElseThrow()), Duration.ofMillis(20), parameters.get("mode", "aligned")));
    }

    static Map<String, Long> expectedTotals(long records) {
        Map<String, Long> totals = new HashMap<>();
        for (long i = 0; i < records; i++) {
            Order order = order(i);
            totals.merge(order.customer(), order.amount(), Long::sum);
        }
        return totals;
    }

    private static ClusterNodes cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ClusterNodes.start(3);
        for (int i = 0; i < cluster.size(); i++) {
            SnapflowCluster.get(cluster.node(i)).registerJob("orders", ClusterJobTest::orders);
        }
        cluster.awaitFreeSlots(0, 6);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"aligned", "at-least-once", "unaligned"})
    void when_a_keyed_job_runs_on_three_nodes_then_its_totals_equal_a_sequential_count_and_checkpoints_complete(
            String mode, @TempDir Path directory) throws Exception {
        long records = 60_000;
        GATE.set(records / 10);
        JobHandle job = SnapflowCluster.get(cluster.node(1)).submit("orders", JobParameters.empty()
                .with("records", Long.toString(records)).with("directory", directory.toString()).with("mode", mode));

        Set<String> nodes = nodesOf(job);
        cluster.probe(1).awaitAssert(Duration.ofSeconds(30), () -> {
            assertThat(job.checkpointStats()).as("checkpoints taken across nodes")
                    .anyMatch(stats -> stats.status() == CheckpointStats.Status.COMPLETED);
            return null;
        });
        cluster.probe(1).awaitAssert(Duration.ofSeconds(10), () -> {
            JobMetrics metrics = job.metrics();
            assertThat(metrics.subtasks()).as("the figures of the subtasks on every node").hasSize(3 + 3 + 2);
            assertThat(metrics.channels()).hasSize(3 * 3 + 3 * 2);
            assertThat(metrics.subtasks().stream().mapToLong(JobMetrics.Subtask::recordsIn).sum()).isPositive();
            return null;
        });
        GATE.set(Long.MAX_VALUE);
        JobResult result = job.result().toCompletableFuture().get(60, TimeUnit.SECONDS);

        Map<String, Long> finalTotals = new HashMap<>();
        List<Tuple2<String, Long>> out = result.collected("out");
        out.forEach(update -> finalTotals.merge(update.f0(), update.f1(), Math::max));
        assertThat(out).hasSize((int) records);
        assertThat(finalTotals).isEqualTo(expectedTotals(records));
    }

    @Test
    void when_a_job_is_not_registered_then_submit_names_the_registered_ones() {
        assertThatThrownBy(() -> SnapflowCluster.get(cluster.node(0)).submit("no-such-job", JobParameters.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'no-such-job'").hasMessageContaining("registered: [orders");
    }

    @Test
    void when_a_node_does_not_see_the_checkpoint_directory_then_the_job_fails_saying_it_is_not_shared(@TempDir Path shared,
                                                                                                     @TempDir Path elsewhere)
            throws Exception {
        for (int i = 0; i < cluster.size(); i++) {
            Path directory = i == 2 ? elsewhere : shared; // node 2 mounts another directory
            SnapflowCluster.get(cluster.node(i)).registerJob("unshared", parameters -> orders(parameters.with("directory",
                    directory.toString())));
        }
        GATE.set(Long.MAX_VALUE);

        JobHandle job = SnapflowCluster.get(cluster.node(0)).submit("unshared", JobParameters.empty().with("records", "100"));

        assertThatThrownBy(() -> job.result().toCompletableFuture().get(60, TimeUnit.SECONDS))
                .hasMessageContaining("has no directory " + job.jobId())
                .hasMessageContaining("every node must see the same checkpoint directory");
    }

    @Test
    void when_a_job_needs_more_slots_than_the_cluster_offers_then_it_waits_or_is_refused_as_it_chose(@TempDir Path directory)
            throws Exception {
        for (int i = 0; i < cluster.size(); i++) {
            SnapflowCluster.get(cluster.node(i)).registerJob("too-wide", parameters -> {
                JobBuilder job = JobBuilder.create("too-wide").defaultParallelism(7); // three nodes offer six slots
                job.source("numbers", dev.snapflow.engine.connectors.Sources.sequence(0, 10)).sink("out", Sinks.discard());
                ClusterJob wide = ClusterJob.of(job.build()).withCheckpointSettings(
                        CheckpointSettings.create(ClusterNodes.CONFIG).withDirectory(directory));
                return parameters.get("refuse").isPresent() ? wide.withSlotWaitTimeout(Duration.ZERO) : wide;
            });
        }

        JobHandle refused = SnapflowCluster.get(cluster.node(0)).submit("too-wide", JobParameters.empty().with("refuse", "yes"));
        assertThatThrownBy(() -> refused.result().toCompletableFuture().get(30, TimeUnit.SECONDS))
                .hasMessageContaining("needs 7 free task slots")
                .hasMessageContaining("raise snapflow.cluster.slots");
        assertThat(refused.failedAttempts()).as("refused without a restart").hasSize(1);

        JobHandle waiting = SnapflowCluster.get(cluster.node(0)).submit("too-wide", JobParameters.empty());
        cluster.probe(0).expectNoMessage(Duration.ofMillis(1500)); // several placement rounds
        assertThat(waiting.result().toCompletableFuture()).as("still waiting for slots").isNotDone();
        waiting.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The nodes of the hosts of the job's running attempt, once every part of it is deployed. */
    private static Set<String> nodesOf(JobHandle job) {
        akka.actor.testkit.typed.javadsl.TestProbe<JobMasterActor.JobActors> probe = cluster.probe(1);
        Set<String> nodes = new HashSet<>();
        probe.awaitAssert(Duration.ofSeconds(20), () -> {
            nodes.clear();
            job.jobMaster().tell(new JobMasterActor.ListJobActors(probe.getRef()));
            for (var actor : probe.receiveMessage().actors()) {
                if (actor.path().name().startsWith("host-")) {
                    nodes.add(actor.path().address().toString());
                }
            }
            assertThat(nodes).as("nodes running the job's subtasks (this node's address has no host)").hasSize(3);
            return null;
        });
        return nodes;
    }
}
