package dev.snapflow.samples.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.JobResult;
import dev.snapflow.engine.Snapflow;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.Sink;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.graph.JobGraph;
import dev.snapflow.samples.CheckpointReports;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.record.Tuple2;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark workloads of the Flink baseline harness ({@code shared/bench/flink-baseline}),
 * run on Snapflow with the same system properties and the same {@code RESULT} keys, so that the
 * two can be compared side by side.
 *
 * <ul>
 *   <li>{@code -Dworkload=W1} (keyed count): sources at {@code -Dparallelism} emit {@code -Dn}
 *   numbers, mapped to {@code (i % keys, 1)}; keyBy; a running sum per key that emits one record per
 *   {@code -DemitEvery} updates; a discarding sink.</li>
 *   <li>{@code -Dworkload=W2}: the same, emitting every update to a sink that busy-spins
 *   {@code -DsinkSpinNanos} per record, so the keyBy exchange is backpressured.</li>
 *   <li>{@code -Dworkload=W3} (large state, few changes): record {@code i} has key
 *   {@code i < keys ? i : i % hotKeys} ({@code -Dkeys} default 2,000,000, {@code -DhotKeys} default
 *   {@code keys / 100}), so every key is stored once and then only the hot ones change; the running
 *   sum of W1; checkpoints every 500 ms.</li>
 * </ul>
 *
 * <p>{@code -Dmode=none} runs without checkpoints; {@code -Dmode=aligned}, {@code -Dmode=unaligned},
 * {@code -Dmode=aligned-timeout} (aligned, switching to unaligned after {@code -DalignedTimeoutMs}, default 50) and
 * {@code -Dmode=at-least-once} checkpoint every {@code -Dinterval} ms (W1: 100, W2: 200) into a
 * temporary directory, and the RESULT line adds the checkpoint figures (end to end = trigger to
 * the last acknowledgement, as Flink counts it). The running sums are keyed value state, as in
 * the Flink harness. {@code -Dincremental=on|off} sets incremental keyed state (default: the
 * configuration's), and {@code -Drecovery=true} adds how long a new job takes to restore from the
 * run's latest checkpoint. The JVM is Maven's own when run through exec:java: set
 * {@code MAVEN_OPTS="-Xms2g -Xmx2g -XX:+UseG1GC"} to match the Flink harness. Prints exactly one line
 * that starts with {@code RESULT }.
 */
public final class Bench {

    /** The parameters, read from system properties with the Flink harness's names and defaults. */
    public record Params(String workload, String mode, long n, int parallelism, long keys, long hotKeys, int emitEvery,
                         long sinkSpinNanos, long intervalMillis, long alignedTimeoutMillis) {

        static Params fromSystemProperties() {
            String workload = System.getProperty("workload", "W1").toUpperCase(Locale.ROOT);
            boolean w2 = workload.equals("W2");
            boolean w3 = workload.equals("W3");
            if (!workload.equals("W1") && !w2 && !w3) {
                throw new IllegalArgumentException("-Dworkload must be W1, W2 or W3, was " + workload);
            }
            String mode = System.getProperty("mode", "none");
            if (!List.of("none", "aligned", "unaligned", "aligned-timeout", "at-least-once").contains(mode)) {
                throw new IllegalArgumentException("-Dmode must be none, aligned, unaligned, aligned-timeout or at-least-once, was "
                        + mode);
            }
            return new Params(workload, mode,
                    Long.getLong("n", w2 ? 1_000_000L : 20_000_000L),
                    Integer.getInteger("parallelism", 2),
                    Long.getLong("keys", w3 ? 2_000_000L : 100_000L),
                    Long.getLong("hotKeys", Long.getLong("keys", w3 ? 2_000_000L : 100_000L) / 100),
                    Integer.getInteger("emitEvery", w2 ? 1 : 1000),
                    Long.getLong("sinkSpinNanos", w2 ? 20_000L : 0L),
                    Long.getLong("interval", w2 ? 200L : w3 ? 500L : 100L),
                    Long.getLong("alignedTimeoutMs", 50L));
        }

        boolean checkpoints() {
            return !mode.equals("none");
        }

        /** These parameters as job parameters, which a job on a cluster is built from on every node. */
        dev.snapflow.engine.config.JobParameters toJobParameters() {
            return dev.snapflow.engine.config.JobParameters.of(java.util.Map.of("workload", workload, "mode", mode,
                    "n", Long.toString(n), "parallelism", Integer.toString(parallelism), "keys", Long.toString(keys),
                    "hotKeys", Long.toString(hotKeys), "emitEvery", Integer.toString(emitEvery), "sinkSpinNanos", Long.toString(sinkSpinNanos),
                    "interval", Long.toString(intervalMillis), "alignedTimeoutMs", Long.toString(alignedTimeoutMillis)));
        }

        static Params fromJobParameters(dev.snapflow.engine.config.JobParameters parameters) {
            return new Params(parameters.get("workload", "W1"), parameters.get("mode", "none"), parameters.getLong("n", 0),
                    parameters.getInt("parallelism", 2), parameters.getLong("keys", 100_000L), parameters.getLong("hotKeys", 1_000L), parameters.getInt("emitEvery", 1000),
                    parameters.getLong("sinkSpinNanos", 0), parameters.getLong("interval", 100), parameters.getLong("alignedTimeoutMs", 50));
        }
    }

    /** The running sum of each key, in keyed value state as in the Flink harness. */
    static final StateDescriptor.Value<Long> SUM = new StateDescriptor.Value<>("sum", RecordSerializers.longs());

    /** The running sum per key, emitting every {@code emitEvery}-th update. */
    static final class SumFn implements KeyedProcessFunction<Long, Tuple2<Long, Long>, Tuple2<Long, Long>> {
        private final int emitEvery;
        private ValueState<Long> sum;
        private long updates;

        SumFn(int emitEvery) {
            this.emitEvery = emitEvery;
        }

        @Override
        public void processElement(Tuple2<Long, Long> value, Context<Long> context, Collector<Tuple2<Long, Long>> out) {
            if (sum == null) {
                sum = context.keyedState().state(SUM);
            }
            Long current = sum.value();
            long updated = (current == null ? 0L : current) + value.f1();
            sum.update(updated);
            if (++updates % emitEvery == 0) {
                out.collect(Tuple2.of(value.f0(), updated));
            }
        }
    }

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        LoggerFactory.getILoggerFactory();
        if (args.length == 2 && args[0].equals("node")) {
            ClusterBench.runNode(args[1]);
            return;
        }
        Params params = Params.fromSystemProperties();
        int nodes = Integer.getInteger("nodes", 1);
        if (nodes > 1) {
            System.out.println(ClusterBench.run(params, nodes));
            return;
        }
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench");
        try {
            System.out.println(run(system, params));
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** The workload's job: what {@code Bench} runs, and what the unaligned sample runs in every mode. */
    public static JobGraph job(Params params) {
        long keys = params.keys();
        long hotKeys = params.hotKeys();
        boolean largeState = params.workload().equals("W3");
        JobBuilder job = JobBuilder.create("bench-" + params.workload()).defaultParallelism(params.parallelism());
        Sink<Tuple2<Long, Long>> sink = params.sinkSpinNanos() > 0 ? spinning(params.sinkSpinNanos()) : Sinks.discard();
        job.source("source", Sources.sequence(0, params.n() - 1))
                .map("to-kv", largeState ? i -> Tuple2.of(i < keys ? i : i % hotKeys, 1L) : i -> Tuple2.of(i % keys, 1L))
                .keyBy(Tuple2::f0)
                .process("keyed-sum", () -> new SumFn(params.emitEvery()))
                .sink("sink", sink);
        return job.build();
    }

    /** A sink that busy-spins {@code nanos} per record, like the Flink harness's SpinSink. */
    static Sink<Tuple2<Long, Long>> spinning(long nanos) {
        return context -> record -> {
            long end = System.nanoTime() + nanos;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        };
    }

    /** Runs the job once and returns the RESULT line. */
    static String run(ActorSystem<?> system, Params params) throws Exception {
        Path checkpointDirectory = Files.createTempDirectory("snapflow-bench-checkpoints-");
        try {
            return run(system, params, checkpointDirectory);
        } finally {
            deleteTree(checkpointDirectory);
        }
    }

    /** Deletes a directory tree; the job's own cleanup may be deleting in it at the same time. */
    static void deleteTree(Path directory) {
        for (int attempt = 0; attempt < 3 && Files.exists(directory); attempt++) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException | java.io.UncheckedIOException concurrentlyDeleted) {
                // Walk again: what is left is still ours to delete.
            }
        }
    }

    /** The checkpoint settings of a run: the mode's, every interval, into {@code checkpointDirectory}. */
    static CheckpointSettings checkpointSettings(ActorSystem<?> system, Params params, Path checkpointDirectory) {
        CheckpointSettings checkpoints = CheckpointSettings.create(system).withDirectory(checkpointDirectory)
                .withMode(params.mode().equals("at-least-once") ? CheckpointSettings.Mode.AT_LEAST_ONCE : CheckpointSettings.Mode.EXACTLY_ONCE)
                .withUnaligned(params.mode().equals("unaligned") || params.mode().equals("aligned-timeout"))
                .withAlignedCheckpointTimeout(Duration.ofMillis(params.mode().equals("aligned-timeout") ? params.alignedTimeoutMillis() : 0))
                .withTolerableFailures(Integer.MAX_VALUE);
        String incremental = System.getProperty("incremental", "");
        if (!incremental.isEmpty()) {
            if (!incremental.equals("on") && !incremental.equals("off")) {
                throw new IllegalArgumentException("-Dincremental must be on or off, was " + incremental);
            }
            checkpoints = checkpoints.withIncremental(incremental.equals("on"));
        }
        return params.checkpoints() ? checkpoints.withInterval(Duration.ofMillis(params.intervalMillis())) : checkpoints.withoutInterval();
    }

    private static String run(ActorSystem<?> system, Params params, Path checkpointDirectory) throws Exception {
        JobGraph graph = job(params);
        CheckpointSettings checkpoints = checkpointSettings(system, params, checkpointDirectory);
        resetPeakHeap();
        long start = System.nanoTime();
        JobHandle handle = Snapflow.submit(system, graph, RuntimeSettings.create(system), checkpoints);
        JobResult result = handle.result().toCompletableFuture().get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        handle.terminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
        CheckpointReports.writeIfAsked(handle, System.err);
        String recovery = params.checkpoints() && Boolean.getBoolean("recovery")
                ? recovery(system, graph, checkpoints, checkpointDirectory.resolve(handle.jobId())) : "";
        return resultLine(params, seconds, result, handle.checkpointStats(), recovery);
    }

    /**
     * {@code -Drecovery=true}: how long a new job takes to start from the run's latest checkpoint
     * and finish, its sources resuming at their checkpointed positions (so it also processes the
     * records after that checkpoint, which its sink count shows).
     */
    private static String recovery(ActorSystem<?> system, JobGraph graph, CheckpointSettings checkpoints, Path jobDirectory)
            throws Exception {
        long start = System.nanoTime();
        JobHandle restored = Snapflow.submitFromCheckpoint(system, graph, jobDirectory, RuntimeSettings.create(system),
                checkpoints.withoutInterval());
        JobResult result = restored.result().toCompletableFuture().get(30, TimeUnit.MINUTES);
        long millis = (System.nanoTime() - start) / 1_000_000;
        restored.terminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
        return String.format(Locale.ROOT, " recovery_ms=%d recovery_sink_records=%d", millis, result.records("sink"));
    }

    /**
     * The RESULT line of a finished run.
     *
     * @param extraKeys more {@code key=value} pairs, each with a leading space
     */
    static String resultLine(Params params, double seconds, JobResult result, List<CheckpointStats> stats, String extraKeys) {
        long expectedSinkRecords = params.n() / params.emitEvery();
        long sinkRecords = result.records("sink");
        if (params.emitEvery() == 1 ? sinkRecords != params.n() : Math.abs(sinkRecords - expectedSinkRecords) > params.parallelism()) {
            throw new IllegalStateException("The sink received " + sinkRecords + " records, expected about " + expectedSinkRecords);
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "RESULT impl=snapflow workload=%s mode=%s n=%d par=%d interval_ms=%d submit_to_finish_s=%.3f rec_per_s=%.4g peak_heap_mb=%d sink_records=%d",
                params.workload(), params.mode(), params.n(), params.parallelism(),
                params.checkpoints() ? params.intervalMillis() : 0, seconds, params.n() / seconds, peakHeapMegabytes(), sinkRecords));
        line.append(extraKeys);
        if (params.checkpoints()) {
            if (Boolean.getBoolean("verbose")) {
                // -Dverbose=true: every checkpoint's subtasks, to see where its time went.
                stats.forEach(checkpoint -> {
                    System.out.println(checkpoint.summary());
                    checkpoint.subtasks().forEach(subtask -> System.out.println("  " + subtask));
                });
            }
            List<Long> endToEnd = stats.stream().filter(s -> s.status() == CheckpointStats.Status.COMPLETED)
                    .map(CheckpointStats::endToEndMillis).sorted().toList();
            line.append(String.format(Locale.ROOT, " ckpt_completed=%d ckpt_failed=%d ckpt_e2e_p50_ms=%d ckpt_e2e_p99_ms=%d ckpt_e2e_max_ms=%d",
                    endToEnd.size(), stats.size() - endToEnd.size(), percentile(endToEnd, 50), percentile(endToEnd, 99),
                    percentile(endToEnd, 100)));
            line.append(String.format(Locale.ROOT, " ckpt_state_bytes_p50=%d ckpt_written_bytes_p50=%d",
                    percentile(completed(stats, CheckpointStats::stateBytes), 50),
                    percentile(completed(stats, CheckpointStats::writtenBytes), 50)));
            line.append(String.format(Locale.ROOT, " persisted_inflight_avg_bytes=%d",
                    (long) stats.stream().filter(s -> s.status() == CheckpointStats.Status.COMPLETED)
                            .mapToLong(CheckpointStats::persistedInFlightBytes).average().orElse(0)));
            // Per checkpoint the slowest keyed subtask, as the Flink harness reports it; then the median.
            line.append(String.format(Locale.ROOT, " keyed_start_delay_p50_ms=%d keyed_align_p50_ms=%d keyed_sync_p50_ms=%d keyed_async_p50_ms=%d",
                    keyedPercentile(stats, CheckpointStats.Subtask::startDelayMillis),
                    keyedPercentile(stats, CheckpointStats.Subtask::alignmentMillis),
                    keyedPercentile(stats, CheckpointStats.Subtask::syncMillis),
                    keyedPercentile(stats, CheckpointStats.Subtask::asyncMillis)));
        }
        return line.toString();
    }

    /** A figure of every completed checkpoint, sorted. */
    private static List<Long> completed(List<CheckpointStats> stats, java.util.function.ToLongFunction<CheckpointStats> figure) {
        return stats.stream().filter(s -> s.status() == CheckpointStats.Status.COMPLETED).map(figure::applyAsLong).sorted().toList();
    }

    /** The median over completed checkpoints of the largest figure among the keyed subtasks. */
    private static long keyedPercentile(List<CheckpointStats> stats, java.util.function.ToLongFunction<CheckpointStats.Subtask> figure) {
        List<Long> maxima = stats.stream().filter(s -> s.status() == CheckpointStats.Status.COMPLETED)
                .map(s -> s.subtasks().stream().filter(t -> t.name().startsWith("keyed-sum")).mapToLong(figure).max().orElse(0))
                .sorted().toList();
        return percentile(maxima, 50);
    }

    /** Nearest-rank percentile, as the Flink harness computes it; -1 if there is nothing. */
    public static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static void resetPeakHeap() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeapMegabytes() {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                bytes += pool.getPeakUsage().getUsed();
            }
        }
        return bytes / (1024 * 1024);
    }
}
