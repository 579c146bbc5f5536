package dev.snapflow.samples.unaligned;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.Snapflow;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.samples.bench.Bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One backpressured job (the W2 workload: every update of a keyed running sum goes to a sink that
 * busy-spins per record, so the channels in front of it are always full) run three times:
 * checkpoints aligned, unaligned, and aligned switching to unaligned after 50 ms. It prints a
 * table of what the checkpoints cost and took, and ends with a machine-readable line:
 * {@code RESULT sample=unaligned aligned_p50_ms=... unaligned_p50_ms=... aligned_timeout_p50_ms=...
 * unaligned_faster=true|false}.
 */
public final class CheckpointsUnderBackpressure {

    /** One mode's run. */
    record Row(String mode, int completed, int failed, long p50Millis, long p99Millis, long unalignedCount,
               long averageInFlightBytes, double recordsPerSecond) {
    }

    private CheckpointsUnderBackpressure() {
    }

    public static void main(String[] args) throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "unaligned-sample");
        Path directory = Files.createTempDirectory("snapflow-unaligned-");
        try {
            long records = Long.getLong("n", 200_000L);
            List<Row> rows = run(system, records, directory);
            print(rows, records);
            System.out.println(resultLine(rows));
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** Runs the job once per mode, checkpointing every 200 ms into {@code directory}. */
    static List<Row> run(ActorSystem<?> system, long records, Path directory) throws Exception {
        Bench.Params params = new Bench.Params("W2", "aligned", records, 2, 100_000, 1_000, 1, 20_000, 200, 50);
        CheckpointSettings base = CheckpointSettings.create(system).withInterval(Duration.ofMillis(params.intervalMillis()))
                .withDirectory(directory).withTolerableFailures(Integer.MAX_VALUE).withTimeout(Duration.ofSeconds(30));
        List<Row> rows = new ArrayList<>();
        rows.add(runOnce(system, params, "aligned", base));
        rows.add(runOnce(system, params, "unaligned", base.withUnaligned(true)));
        rows.add(runOnce(system, params, "aligned, 50 ms timeout",
                base.withUnaligned(true).withAlignedCheckpointTimeout(Duration.ofMillis(50))));
        return rows;
    }

    private static Row runOnce(ActorSystem<?> system, Bench.Params params, String mode, CheckpointSettings checkpoints)
            throws Exception {
        long start = System.nanoTime();
        JobHandle job = Snapflow.submit(system, Bench.job(params), RuntimeSettings.create(system), checkpoints);
        job.result().toCompletableFuture().get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<CheckpointStats> stats = job.checkpointStats().stream().filter(s -> !s.savepoint()).toList();
        List<CheckpointStats> completed = stats.stream().filter(s -> s.status() == CheckpointStats.Status.COMPLETED).toList();
        List<Long> endToEnd = completed.stream().map(CheckpointStats::endToEndMillis).sorted().toList();
        return new Row(mode, completed.size(), stats.size() - completed.size(), Bench.percentile(endToEnd, 50),
                Bench.percentile(endToEnd, 99), completed.stream().filter(CheckpointStats::unaligned).count(),
                (long) completed.stream().mapToLong(CheckpointStats::persistedInFlightBytes).average().orElse(0),
                params.n() / seconds);
    }

    private static void print(List<Row> rows, long records) {
        System.out.printf(Locale.ROOT, "%d records; every update goes to a sink that spins 20 us per record, so the%n"
                + "channels in front of it stay full. A checkpoint every 200 ms:%n%n", records);
        System.out.printf(Locale.ROOT, "%-24s %9s %6s %8s %8s %9s %15s %9s%n",
                "mode", "completed", "failed", "p50 ms", "p99 ms", "unaligned", "in-flight KiB", "rec/s");
        for (Row row : rows) {
            System.out.printf(Locale.ROOT, "%-24s %9d %6d %8d %8d %9d %15d %9.0f%n", row.mode(), row.completed(), row.failed(),
                    row.p50Millis(), row.p99Millis(), row.unalignedCount(), row.averageInFlightBytes() / 1024,
                    row.recordsPerSecond());
        }
        System.out.println();
        System.out.println("Aligned barriers wait behind the full channels; unaligned ones overtake them and write what they");
        System.out.println("overtook instead; with a timeout, checkpoints stay aligned until they have waited 50 ms.");
    }

    static String resultLine(List<Row> rows) {
        Row aligned = rows.get(0);
        Row unaligned = rows.get(1);
        Row timeout = rows.get(2);
        boolean faster = unaligned.completed() > 0 && (aligned.completed() == 0 || unaligned.p50Millis() < aligned.p50Millis());
        return String.format(Locale.ROOT, "RESULT sample=unaligned aligned_p50_ms=%d unaligned_p50_ms=%d aligned_timeout_p50_ms=%d"
                        + " unaligned_inflight_avg_bytes=%d unaligned_faster=%b", aligned.p50Millis(), unaligned.p50Millis(),
                timeout.p50Millis(), unaligned.averageInFlightBytes(), faster);
    }
}
