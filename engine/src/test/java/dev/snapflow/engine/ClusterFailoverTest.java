package dev.snapflow.engine;

import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.cluster.ClusterJob;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.JobParameters;
import dev.snapflow.engine.config.RestartStrategy;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.FileSink;
import dev.snapflow.engine.graph.JobBuilder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member with subtasks of a running job crashes (it does not leave): the Split Brain Resolver
 * downs it, the attempt fails, and the job restarts on the survivors' slots from the latest
 * checkpoint; what the transactional file sink committed is every running total exactly once
 * (at least once with at-least-once checkpoints).
 */
class ClusterFailoverTest {

    /** How far the source may read: half the input until a node is lost, then all of it. */
    private static final AtomicLong GATE = new AtomicLong();

    static ClusterJob totalsToFiles(JobParameters parameters) {
        long records = parameters.getLong("records", 20_000);
        JobBuilder job = JobBuilder.create("totals-to-files").defaultParallelism(3);
        // One source subtask, so every customer's orders reach its total in the order of the input.
        job.source("orders", new GatedSequence(records, GATE)).parallelism(1)
                .map("order", ClusterJobTest::order).parallelism(1)
                .keyBy(ClusterJobTest.Order::customer)
                .process("totals", ClusterJobTest.CustomerTotal::new)
                .map("line", total -> total.f0() + "," + total.f1())
                .sink("files", FileSink.lines(Path.of(parameters.get("output").orElseThrow())));
        CheckpointSettings checkpoints = ClusterNodes.checkpoints(Path.of(parameters.get("directory").orElseThrow()),
                Duration.ofMillis(50), parameters.get("mode", "aligned"));
        return ClusterJob.of(job.build()).withCheckpointSettings(checkpoints).withRuntimeSettings(
                RuntimeSettings.create(ClusterNodes.CONFIG).withRestartStrategy(RestartStrategy.fixedDelay(5, Duration.ofMillis(100))));
    }

    static List<String> expectedLines(long records) {
        Map<String, Long> totals = new HashMap<>();
        List<String> lines = new ArrayList<>();
        for (long i = 0; i < records; i++) {
            ClusterJobTest.Order order = ClusterJobTest.order(i);
            lines.add(order.customer() + "," + totals.merge(order.customer(), order.amount(), Long::sum));
        }
        return lines;
    }

    private static String coordinatorNode(ClusterNodes cluster, JobHandle job, int handleNode) {
        akka.actor.testkit.typed.javadsl.TestProbe<dev.snapflow.engine.job.JobMasterActor.JobActors> probe = cluster.probe(handleNode);
        job.jobMaster().tell(new dev.snapflow.engine.job.JobMasterActor.ListJobActors(probe.getRef()));
        return probe.receiveMessage().actors().stream().filter(actor -> actor.path().name().equals("checkpoint-coordinator"))
                .map(actor -> actor.path().address().hasGlobalScope() ? actor.path().address().toString()
                        : cluster.node(handleNode).address().toString())
                .findFirst().orElseThrow();
    }

    /**
     * Node 0 is the oldest member, so it runs the job's master (a Cluster Singleton); node 2 runs
     * only subtasks. The job is submitted from node 1, whose handle follows it throughout.
     */
    @ParameterizedTest(name = "{0}, node {1} crashes")
    @CsvSource({"aligned, 2", "unaligned, 2", "at-least-once, 2", "aligned, 0", "unaligned, 0"})
    void when_a_member_with_subtasks_crashes_then_the_job_finishes_on_the_survivors_with_exactly_once_output(
            String mode, int crashed, @TempDir Path directory, @TempDir Path output) throws Exception {
        runWithNodeLoss(new Scenario(mode, crashed, 1, 20_000, 0.5, 1), directory, output);
    }

    /**
     * One run with a node lost.
     *
     * @param crashed                 the node that crashes; node 0 runs the job's master
     * @param submitter               the node whose handle follows the job; it must survive
     * @param gateFraction            how much of the input the source reads before the crash
     * @param checkpointsBeforeCrash  completed checkpoints to wait for before the crash
     */
    record Scenario(String mode, int crashed, int submitter, long records, double gateFraction, int checkpointsBeforeCrash) {
    }

    static void runWithNodeLoss(Scenario scenario, Path directory, Path output) throws Exception {
        long records = scenario.records();
        GATE.set((long) (records * scenario.gateFraction()));
        try (ClusterNodes cluster = ClusterNodes.start(3)) {
            for (int i = 0; i < cluster.size(); i++) {
                SnapflowCluster.get(cluster.node(i)).registerJob("totals-to-files", ClusterFailoverTest::totalsToFiles);
            }
            cluster.awaitFreeSlots(scenario.submitter(), 6);
            JobHandle job = SnapflowCluster.get(cluster.node(scenario.submitter())).submit("totals-to-files", JobParameters.empty()
                    .with("records", Long.toString(records)).with("directory", directory.toString())
                    .with("output", output.toString()).with("mode", scenario.mode()));
            cluster.probe(scenario.submitter()).awaitAssert(Duration.ofSeconds(30), () -> {
                assertThat(job.checkpointStats().stream().filter(stats -> stats.status() == CheckpointStats.Status.COMPLETED))
                        .hasSizeGreaterThanOrEqualTo(scenario.checkpointsBeforeCrash());
                return null;
            });

            if (scenario.crashed() == 0) {
                assertThat(coordinatorNode(cluster, job, scenario.submitter()))
                        .as("the node of the job's master and checkpoint coordinator").isEqualTo(cluster.node(0).address().toString());
            }
            cluster.crash(scenario.crashed());
            GATE.set(Long.MAX_VALUE);
            JobResult result = job.result().toCompletableFuture().get(90, TimeUnit.SECONDS);

            assertThat(result.records("files")).isPositive();
            if (scenario.crashed() != 0) {
                // A master that took over starts a new series of attempts; it does not know of the lost one's failures.
                assertThat(job.failedAttempts()).as("the attempt the lost node failed").isNotEmpty();
                assertThat(job.failedAttempts().get(0).cause()).hasMessageContaining("left the cluster");
            }
            if (scenario.mode().equals("at-least-once")) {
                // Records after a barrier may reach a sink's transaction before the checkpoint: replayed, they repeat.
                assertThat(FileSink.committedLines(output)).containsAll(expectedLines(records));
            } else {
                assertThat(FileSink.committedLines(output)).containsExactlyInAnyOrderElementsOf(expectedLines(records));
            }
        }
    }
}
