package dev.snapflow.samples.bench;

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
import dev.snapflow.engine.cluster.ClusterJob;
import dev.snapflow.engine.config.RuntimeSettings;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

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
        return ConfigFactory.parseString("""
                akka.actor.provider = cluster
                akka.remote.artery.canonical.hostname = "127.0.0.1"
                akka.remote.artery.canonical.port = 0
                akka.actor.allow-java-serialization = off
                akka.loglevel = WARNING
                akka.cluster.log-info = off
                snapflow.cluster.slots = 1
                """).withFallback(ConfigFactory.load());
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
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                    .filter(member -> member.status() == MemberStatus.up()).count() < nodes) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The cluster did not reach " + nodes + " members; see " + directory);
                }
                Thread.sleep(100); // polling the membership, which has no future to wait on
            }
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
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (argument.startsWith("-Xm") || argument.startsWith("-XX:") || argument.startsWith("-Dsnapflow.")) {
                command.add(argument); // the same heap, collector and Snapflow settings as this node
            }
        }
        command.addAll(List.of("-cp", classPath(), Bench.class.getName(), "node", seed));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** This program's class path: exec:java runs it in a class loader of its own, not on java.class.path. */
    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader loader = ClusterBench.class.getClassLoader(); loader != null; loader = loader.getParent()) {
            if (loader instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    try {
                        entries.add(Path.of(url.toURI()).toString());
                    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                        // Not a file: not part of a class path.
                    }
                }
            }
        }
        return entries.isEmpty() ? System.getProperty("java.class.path") : String.join(File.pathSeparator, entries);
    }
}
