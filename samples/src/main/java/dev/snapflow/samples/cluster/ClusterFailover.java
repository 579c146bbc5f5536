package dev.snapflow.samples.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import dev.snapflow.engine.JobAttemptFailure;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.JobResult;
import dev.snapflow.engine.SnapflowCluster;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.ReadStatus;
import dev.snapflow.engine.api.Source;
import dev.snapflow.engine.api.SourceReader;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.cluster.ClusterJob;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.JobParameters;
import dev.snapflow.engine.config.RestartStrategy;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.FileSink;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.samples.resume.ResumeFromCheckpoint;
import dev.snapflow.serialization.record.RecordSerializers;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A word count on a three-node Akka Cluster on loopback survives the loss of a node. This JVM is
 * the first node (the oldest member, so it runs the job's master); it starts two more JVMs as the
 * other nodes. Every node registers the same job; this one submits it by name. The checkpoints
 * and the output go to one temporary directory that all three see. Half-way through the input,
 * one of the other JVMs is killed (SIGKILL: it does not leave the cluster); the Split Brain
 * Resolver downs it, the attempt fails, and the job restarts on the two survivors from its latest
 * checkpoint. The transactional file sink commits every running count exactly once.
 *
 * <p>The last line is
 * {@code RESULT sample=cluster-failover nodes=3 nodes_lost=1 restarts=N counts_equal=true},
 * every value computed from the run: {@code counts_equal} compares the committed lines with what
 * a plain sequential count emits.
 *
 * <pre>mvn -q -pl samples -am compile exec:java -Dexec.mainClass=dev.snapflow.samples.cluster.ClusterFailover</pre>
 */
public final class ClusterFailover {

    static final String JOB = "cluster-word-count";
    static final int LINES = 60_000;
    /** Lines per second each source subtask reads, so that the run lasts long enough to lose a node in the middle. */
    static final int LINES_PER_SECOND = 3_000;
    static final int PARALLELISM = 3;

    private ClusterFailover() {
    }

    /** The configuration of every node: loopback, an ephemeral port, and failure detection fast enough for a demo. */
    static Config nodeConfig() {
        return LoopbackCluster.nodeConfig("""
                akka.cluster.split-brain-resolver.stable-after = 2s
                akka.cluster.failure-detector.heartbeat-interval = 300ms
                akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
                snapflow.cluster.slots = 2
                """);
    }

    public static void main(String[] args) throws Exception {
        LoggerFactory.getILoggerFactory();
        if (args.length == 2 && args[0].equals("node")) {
            runNode(args[1]);
            return;
        }
        System.exit(run(System.out) ? 0 : 1);
    }

    /** The job every node registers: throttled file lines, words keyed to running counts, a transactional file sink. */
    static ClusterJob wordCount(JobParameters parameters, ActorSystem<?> system) {
        JobBuilder job = JobBuilder.create(JOB).defaultParallelism(PARALLELISM);
        job.source("lines", new Throttled(Sources.fileLines(Path.of(parameters.get("input").orElseThrow())),
                        parameters.getInt("lines-per-second", LINES_PER_SECOND)))
                .flatMap("split", (String line, Collector<String> out) -> {
                    for (String word : line.split(" ")) {
                        out.collect(word);
                    }
                })
                .keyBy(word -> word)
                .process("count", RunningCount::new)
                .sink("counts", FileSink.lines(Path.of(parameters.get("output").orElseThrow())));
        return ClusterJob.of(job.build())
                .withCheckpointSettings(CheckpointSettings.create(system)
                        .withDirectory(Path.of(parameters.get("checkpoints").orElseThrow()))
                        .withInterval(Duration.ofMillis(200)))
                .withRuntimeSettings(RuntimeSettings.create(system)
                        .withRestartStrategy(RestartStrategy.fixedDelay(5, Duration.ofMillis(500))));
    }

    /** Emits {@code word,n} for the n-th time it sees a word: with exactly-once output, every such line appears once. */
    static final class RunningCount implements KeyedProcessFunction<String, String, String> {
        private static final StateDescriptor.Value<Long> COUNT = new StateDescriptor.Value<>("count", RecordSerializers.longs());

        @Override
        public void processElement(String word, Context<String> context, Collector<String> out) {
            ValueState<Long> count = context.keyedState().state(COUNT);
            long next = count.value() == null ? 1 : count.value() + 1;
            count.update(next);
            out.collect(word + "," + next);
        }
    }

    /** A source that reads at most {@code linesPerSecond} lines per second per subtask. */
    static final class Throttled implements Source<String> {
        private final Source<String> source;
        private final int linesPerSecond;

        Throttled(Source<String> source, int linesPerSecond) {
            this.source = source;
            this.linesPerSecond = linesPerSecond;
        }

        @Override
        public SourceReader<String> createReader(int subtaskIndex, int parallelism) throws Exception {
            SourceReader<String> reader = source.createReader(subtaskIndex, parallelism);
            long start = System.nanoTime();
            return new SourceReader<>() {
                private long read;

                @Override
                public ReadStatus read(Collector<String> output, int maxRecords) throws Exception {
                    long allowed = (System.nanoTime() - start) * linesPerSecond / 1_000_000_000L - read;
                    if (allowed <= 0) {
                        return ReadStatus.NOTHING_AVAILABLE;
                    }
                    int[] counted = {0};
                    ReadStatus status = reader.read(line -> {
                        counted[0]++;
                        output.collect(line);
                    }, (int) Math.min(maxRecords, allowed));
                    read += counted[0];
                    return status;
                }

                @Override
                public long position() {
                    return reader.position();
                }

                @Override
                public void seek(long position) throws Exception {
                    reader.seek(position);
                }

                @Override
                public void close() throws Exception {
                    reader.close();
                }
            };
        }
    }

    /** Another node: joins the seed, registers the job, and runs until it is killed. */
    private static void runNode(String seed) throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "snapflow", nodeConfig());
        Cluster.get(system).manager().tell(Join.create(akka.actor.AddressFromURIString.parse(seed)));
        SnapflowCluster.get(system).registerJob(JOB, parameters -> wordCount(parameters, system));
        System.out.println("node " + Cluster.get(system).selfMember().address() + " joining " + seed);
        system.getWhenTerminated().toCompletableFuture().get();
    }

    /** Runs the story, printing to {@code out}; returns whether the committed counts equal a sequential count. */
    static boolean run(java.io.PrintStream out) throws Exception {
        Path directory = Files.createTempDirectory("snapflow-cluster-failover-");
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "snapflow", nodeConfig());
        List<Process> nodes = new ArrayList<>();
        try {
            Path input = directory.resolve("input.txt");
            List<String> lines = ResumeFromCheckpoint.text(LINES, 11);
            Files.write(input, lines);
            Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            SnapflowCluster.get(system).registerJob(JOB, parameters -> wordCount(parameters, system));
            String seed = cluster.selfMember().address().toString();
            for (int i = 1; i <= 2; i++) {
                nodes.add(LoopbackCluster.startJvm(ClusterFailover.class, List.of("-Xmx512m"), List.of("node", seed),
                        directory.resolve("node-" + i + ".log")));
            }
            LoopbackCluster.awaitMembersUp(cluster, 3, Duration.ofSeconds(60));
            LoopbackCluster.awaitFreeSlots(SnapflowCluster.get(system), 6, Duration.ofSeconds(60)); // every node offers its two
            out.println("Cluster up: 3 nodes on 127.0.0.1 (this JVM and two it started); shared directory " + directory);

            JobHandle job = SnapflowCluster.get(system).submit(JOB, JobParameters.empty()
                    .with("input", input.toString())
                    .with("output", directory.resolve("output").toString())
                    .with("checkpoints", directory.resolve("checkpoints").toString()));
            long started = System.nanoTime();
            long expectedNanos = TimeUnit.SECONDS.toNanos(LINES / (PARALLELISM * LINES_PER_SECOND));
            while (completedCheckpoints(job) == 0 || System.nanoTime() - started < expectedNanos / 2) {
                if (job.result().toCompletableFuture().isDone()) {
                    break;
                }
                Thread.sleep(50); // a demo's pacing, not synchronization: it checks the condition again
            }
            Process lost = nodes.get(1);
            out.printf("Half-way (%d checkpoints completed): killing node 2 (pid %d) with SIGKILL%n",
                    completedCheckpoints(job), lost.pid());
            lost.destroyForcibly().waitFor();

            JobResult result = job.result().toCompletableFuture().get(5, TimeUnit.MINUTES);
            long restarts = job.failedAttempts().stream().filter(JobAttemptFailure::restarted).count();
            job.failedAttempts().forEach(failure -> out.println("Attempt " + failure.attempt() + " failed: "
                    + failure.cause().getMessage()));
            List<String> committed = FileSink.committedLines(directory.resolve("output"));
            boolean countsEqual = sorted(committed).equals(sorted(expectedLines(lines)));
            out.printf("Job finished on the survivors %.1f s after it was submitted: %d lines committed (%d expected),"
                            + " %d sink records in the last attempt, %d checkpoints%n", (System.nanoTime() - started) / 1e9,
                    committed.size(), expectedLines(lines).size(), result.records("counts"), completedCheckpoints(job));
            out.printf("RESULT sample=cluster-failover nodes=3 nodes_lost=1 restarts=%d counts_equal=%s%n",
                    restarts, countsEqual);
            return countsEqual;
        } finally {
            // This node leaves first, so the survivor it leaves behind does not see it as lost.
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            nodes.forEach(Process::destroyForcibly);
            for (Process node : nodes) {
                node.waitFor(30, TimeUnit.SECONDS);
            }
            deleteRecursively(directory);
        }
    }

    private static long completedCheckpoints(JobHandle job) {
        return job.checkpointStats().stream().filter(stats -> stats.status() == CheckpointStats.Status.COMPLETED).count();
    }

    /** What a sequential count emits: {@code word,1} to {@code word,n} for a word seen n times. */
    static List<String> expectedLines(List<String> lines) {
        Map<String, Long> counts = new HashMap<>();
        List<String> expected = new ArrayList<>();
        for (String line : lines) {
            for (String word : line.split(" ")) {
                expected.add(word + "," + counts.merge(word, 1L, Long::sum));
            }
        }
        return expected;
    }

    private static List<String> sorted(List<String> lines) {
        List<String> copy = new ArrayList<>(lines);
        copy.sort(Comparator.naturalOrder());
        return copy;
    }

    private static void deleteRecursively(Path directory) throws IOException {
        for (int attempt = 0; attempt < 5 && Files.exists(directory); attempt++) {
            try (Stream<Path> paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException | java.io.UncheckedIOException changedWhileWalking) {
                // A late write of a stopping job: walk again.
            }
        }
    }
}
