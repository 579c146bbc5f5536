package dev.snapflow.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Seeded node loss on a three-node cluster: each seed picks the checkpoint mode, the node that
 * crashes (the master's too), the node that submits (a survivor), the input size, and how far the
 * job got before the crash; the committed output must be exactly once (at least once in
 * at-least-once mode). The default build runs {@value #DEFAULT_SEEDS} seeds; the engine's
 * {@code chaos} profile runs {@code snapflow.cluster-chaos.seeds} (30 by default), and a failing
 * seed runs again alone with {@code -Dsnapflow.cluster-chaos.first-seed=N -Dsnapflow.cluster-chaos.seeds=1}.
 */
class ClusterChaosTest {

    private static final int DEFAULT_SEEDS = 2;
    private static final String[] MODES = {"aligned", "unaligned", "at-least-once"};

    static Stream<Long> seeds() {
        long first = Long.getLong("snapflow.cluster-chaos.first-seed", 1);
        return LongStream.range(first, first + Integer.getInteger("snapflow.cluster-chaos.seeds", DEFAULT_SEEDS)).boxed();
    }

    static ClusterFailoverTest.Scenario scenario(long seed) {
        Random random = new Random(seed);
        int crashed = random.nextInt(3);
        int submitter = (crashed + 1 + random.nextInt(2)) % 3;
        return new ClusterFailoverTest.Scenario(MODES[random.nextInt(MODES.length)], crashed, submitter,
                5_000 + random.nextInt(30_000), 0.1 + 0.8 * random.nextDouble(), 1 + random.nextInt(3));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void when_a_seeded_node_crashes_during_a_run_then_the_committed_output_is_exactly_once(long seed) throws Exception {
        ClusterFailoverTest.Scenario scenario = scenario(seed);
        System.out.println("cluster chaos seed " + seed + ": " + scenario);
        Path directory = Files.createTempDirectory("snapflow-cluster-chaos-");
        Path output = Files.createTempDirectory("snapflow-cluster-chaos-output-");
        try {
            ClusterFailoverTest.runWithNodeLoss(scenario, directory, output);
            System.out.println("cluster chaos seed " + seed + ": passed");
        } finally {
            TestDirectories.deleteTree(directory);
            TestDirectories.deleteTree(output);
        }
    }
}
