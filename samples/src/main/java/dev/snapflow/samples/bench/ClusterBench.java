package dev.snapflow.samples.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.JobResult;
import dev.snapflow.engine.SnapflowCluster;
import dev.snapflow.engine.cluster.ClusterJob;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.samples.cluster.LoopbackCluster;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code Bench -Dnodes=N}: the workload on an Akka Cluster of N JVMs on loopback, this one and
 * N-1 it starts (with this JVM's heap and GC flags), one task slot each, so that a job at
 * parallelism N puts one slice on every node and its keyBy sends (N-1)/N of the records across
 * nodes, serialized into buffers. The job's master runs here; the RESULT line adds {@code nodes=N}.
 */
final class ClusterBench {

    static final String JOB = "bench";

    private ClusterBench() {
    }

    static Config nodeConfig() {
        return LoopbackCluster.nodeConfig("snapflow.cluster.slots = 1");
    }

    private static void register(ActorSystem<?> system) {
        SnapflowCluster.get(system).registerJob(JOB, parameters -> {
            Bench.Params params = Bench.Params.fromJobParameters(parameters);
            return ClusterJob.of(Bench.job(params))
                    .withRuntimeSettings(RuntimeSettings.create(system))
                    .withCheckpointSettings(Bench.checkpointSettings(system, params, Path.of(parameters.get("directory").orElseThrow())));
        });
    }

    /** Another node: joins, registers the job, runs until it is stopped. */
    static void runNode(String seed) throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench", nodeConfig());
        Cluster.get(system).manager().tell(Join.create(akka.actor.AddressFromURIString.parse(seed)));
        register(system);
        system.getWhenTerminated().toCompletableFuture().get();
    }

    static String run(Bench.Params params, int nodes) throws Exception {
        Path directory = Files.createTempDirectory("snapflow-bench-cluster-");
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench", nodeConfig());
        List<Process> others = new ArrayList<>();
        try {
            Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            register(system);
            for (int i = 1; i < nodes; i++) {
                others.add(startNode(cluster.selfMember().address().toString(), directory.resolve("node-" + i + ".log")));
            }
            LoopbackCluster.awaitMembersUp(cluster, nodes, java.time.Duration.ofSeconds(60));
            LoopbackCluster.awaitFreeSlots(SnapflowCluster.get(system), nodes, java.time.Duration.ofSeconds(60));
            Bench.resetPeakHeap();
            long start = System.nanoTime();
            JobHandle handle = SnapflowCluster.get(system).submit(JOB, params.toJobParameters()
                    .with("directory", directory.resolve("checkpoints").toString()));
            JobResult result = handle.result().toCompletableFuture().get(30, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            return Bench.resultLine(params, seconds, result, handle.checkpointStats(), " nodes=" + nodes);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            others.forEach(Process::destroy);
            for (Process other : others) {
                if (!other.waitFor(20, TimeUnit.SECONDS)) {
                    other.destroyForcibly();
                }
            }
            Bench.deleteTree(directory);
        }
    }

    private static Process startNode(String seed, Path log) throws java.io.IOException {
        List<String> flags = new ArrayList<>();
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (argument.startsWith("-Xm") || argument.startsWith("-XX:") || argument.startsWith("-Dsnapflow.")) {
                flags.add(argument); // the same heap, collector and Snapflow settings as this node
            }
        }
        return LoopbackCluster.startJvm(Bench.class, flags, List.of("node", seed), log);
    }
}
