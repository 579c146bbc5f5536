package dev.snapflow.engine;

import akka.actor.PoisonPill;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Adapter;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestartStrategy;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.FileSink;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.job.JobMasterActor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded failure injection: a keyed running count with periodic checkpoints is failed again and
 * again (a user function throws, or a channel or subtask actor is killed) at points the seed
 * picks, and restarts each time. Exactly once, the final counts equal a failure-free run's; at
 * least once, nothing is lost. {@code mvn verify} runs {@value #DEFAULT_SEEDS} seeds; more with
 * {@code -Dsnapflow.chaos.seeds=200} (the engine's {@code chaos} profile runs 1,000). Each seed prints its plan
 * and outcome, so a failing seed can be run again alone with {@code -Dsnapflow.chaos.first-seed}
 * (and one barrier mode with {@code -Dsnapflow.chaos.barriers=UNALIGNED}).
 * A second test runs a keyed running sum into the transactional file sink and compares the
 * committed output with a failure-free run's. A third runs three pipelines in one job: three network
 * hops with a mutable record type that its consumer changes, a short pipeline that finishes (and
 * emits in {@code finish}) long before the faults, and a broadcast edge; every pipeline's committed
 * output must equal a failure-free run's.
 */
class ChaosTest {

    private static final int DEFAULT_SEEDS = 4;
    private static final long N = 100_000;
    private static ActorTestKit testKit;
    private final List<Path> directories = new ArrayList<>();

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @AfterEach
    void deleteCheckpoints() {
        directories.forEach(TestDirectories::deleteTree);
    }

    /** How a run's checkpoints treat barriers. */
    enum Barriers {
        /** As the seed picks: aligned exactly once (three in four seeds) or at least once. */
        SEEDED,
        /** Exactly once, unaligned. */
        UNALIGNED,
        /** Exactly once, aligned, switching to unaligned after 1 ms: switches happen all the time. */
        ALIGNED_TIMEOUT
    }

    /** Each seed in every barrier mode. */
    static Stream<Arguments> runs() {
        long first = Long.getLong("snapflow.chaos.first-seed", 1);
        String only = System.getProperty("snapflow.chaos.barriers", "");
        return LongStream.range(first, first + Integer.getInteger("snapflow.chaos.seeds", DEFAULT_SEEDS)).boxed()
                .flatMap(seed -> Stream.of(Barriers.values()).filter(barriers -> only.isEmpty() || barriers.name().equals(only))
                        .map(barriers -> Arguments.of(seed, barriers)));
    }

    private enum Fault { THROW, KILL_CHANNEL, KILL_SUBTASK }

    /**
     * One seeded run: its settings, the levers its functions read (each run has its own, so a
     * job left over from a failed run cannot take another run's faults), and its fault plan.
     */
    private final class Run {
        final long seed;
        final SplittableRandom random;
        final boolean exactlyOnce;
        final Barriers barriers;
        final boolean onDisk;
        final int faults;
        /** Incremental keyed state: as {@code -Dsnapflow.chaos.incremental=on|off} says, else in odd seeds. */
        final boolean incremental;
        /** How many records each source subtask may emit. */
        final AtomicLong allowed = new AtomicLong();
        /** How many of the next records throw, one failure each. */
        final AtomicInteger failures = new AtomicInteger();
        final List<String> plan = new ArrayList<>();
        final TestProbe<Object> probe = testKit.createTestProbe();

        Run(long seed, Barriers barriers) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
            this.barriers = barriers;
            this.exactlyOnce = random.nextInt(4) != 0 || barriers != Barriers.SEEDED;
            this.onDisk = random.nextBoolean();
            this.faults = 1 + random.nextInt(3);
            String incrementalChoice = System.getProperty("snapflow.chaos.incremental", "");
            this.incremental = incrementalChoice.isEmpty() ? seed % 2 == 1 : incrementalChoice.equals("on");
        }

        CheckpointSettings checkpoints() throws IOException {
            CheckpointSettings checkpoints = CheckpointSettings.create(testKit.system()).withInterval(Duration.ofMillis(20))
                    .withMode(exactlyOnce ? CheckpointSettings.Mode.EXACTLY_ONCE : CheckpointSettings.Mode.AT_LEAST_ONCE)
                    .withUnaligned(barriers != Barriers.SEEDED)
                    .withAlignedCheckpointTimeout(barriers == Barriers.ALIGNED_TIMEOUT ? Duration.ofMillis(1) : Duration.ZERO)
                    .withIncremental(incremental).withIncrementalMaxDeltas(3);
            return onDisk ? checkpoints.withDirectory(temporaryDirectory("snapflow-chaos-")) : checkpoints;
        }

        RuntimeSettings runtime() {
            return RuntimeSettings.create(testKit.system()).withIdleSourcePollInterval(Duration.ofMillis(1))
                    .withRestartStrategy(RestartStrategy.fixedDelay(faults, Duration.ZERO));
        }

        /**
         * Lets the sources on to a seed-chosen point before each fault, injects it, and waits for it
         * to fail an attempt and for the next attempt to run; then lets the sources run to the end.
         *
         * @param span the gate rises by at most {@code span / faults} per fault
         */
        void injectFaults(JobHandle job, long span) {
            long gate = 0;
            for (int fault = 1; fault <= faults; fault++) {
                gate += 1 + random.nextInt((int) (span / faults));
                Fault kind = Fault.values()[random.nextInt(Fault.values().length)];
                plan.add(kind + "@" + gate);
                allowed.set(gate);
                inject(kind, job);
                awaitFailedAttempts(job, fault);
            }
            allowed.set(Long.MAX_VALUE);
        }

        private void inject(Fault kind, JobHandle job) {
            if (kind == Fault.THROW) {
                failures.set(1);
                return;
            }
            String prefix = kind == Fault.KILL_CHANNEL ? "channel-" : "subtask-";
            List<ActorRef<?>> victims = new ArrayList<>();
            // Between attempts the job has no actors, and a new attempt creates its channels after its subtasks.
            probe.awaitAssert(Duration.ofSeconds(20), () -> {
                victims.clear();
                runningAttemptActors(job).stream().filter(actor -> actor.path().name().startsWith(prefix)).forEach(victims::add);
                assertThat(victims).isNotEmpty();
                return null;
            });
            ActorRef<?> victim = victims.get(random.nextInt(victims.size()));
            Adapter.toClassic(victim).tell(PoisonPill.getInstance(), akka.actor.ActorRef.noSender());
        }

        /**
         * Waits for the injected fault to fail an attempt, and for the next attempt to run: the master
         * starts it only after every actor of the failed one stopped, so the next fault cannot hit a
         * dying attempt. If the fault does not take effect, shows where the job stands.
         */
        private void awaitFailedAttempts(JobHandle job, int failed) {
            try {
                probe.awaitAssert(Duration.ofSeconds(20), () -> {
                    assertThat(job.failedAttempts()).hasSize(failed);
                    return null;
                });
            } catch (AssertionError e) {
                System.out.println("The job did not fail as injected; its metrics: " + job.metrics()
                        + "; failures to inject: " + failures.get() + ", allowed per source subtask: " + allowed.get());
                throw e;
            }
            probe.awaitAssert(Duration.ofSeconds(20), () -> {
                assertThat(runningAttemptActors(job)).isNotEmpty();
                return null;
            });
        }

        private List<ActorRef<?>> runningAttemptActors(JobHandle job) {
            TestProbe<JobMasterActor.JobActors> actors = testKit.createTestProbe();
            job.jobMaster().tell(new JobMasterActor.ListJobActors(actors.getRef()));
            return actors.receiveMessage().actors();
        }

        String describe(JobHandle job) {
            List<CheckpointStats> stats = job.checkpointStats();
            return String.format("seed=%d mode=%s storage=%s incremental=%s faults=%s restarts=%d checkpoints=%d unaligned=%d inflight_bytes=%d", seed,
                    barriers == Barriers.UNALIGNED ? "unaligned" : barriers == Barriers.ALIGNED_TIMEOUT ? "aligned-timeout"
                            : exactlyOnce ? "exactly-once" : "at-least-once", onDisk ? "disk" : "memory", incremental, plan,
                    job.failedAttempts().size(), stats.size(),
                    stats.stream().filter(CheckpointStats::unaligned).count(),
                    stats.stream().mapToLong(CheckpointStats::persistedInFlightBytes).sum());
        }
    }

    private Path temporaryDirectory(String prefix) throws IOException {
        Path directory = Files.createTempDirectory(prefix);
        directories.add(directory);
        return directory;
    }

    @ParameterizedTest(name = "seed {0}, {1}")
    @MethodSource("runs")
    void when_a_job_fails_again_and_again_then_its_final_counts_equal_a_failure_free_run(long seed, Barriers barriers)
            throws Exception {
        Run run = new Run(seed, barriers);
        JobBuilder builder = JobBuilder.create("chaos").defaultParallelism(2);
        builder.source("numbers", new GatedSequence(N, run.allowed))
                .keyBy(value -> value % 100)
                .process("count", () -> new ReportingCount(run.failures))
                .sink("counts", Sinks.collect());
        JobHandle job = Snapflow.submit(testKit.system(), builder.build(), run.runtime(), run.checkpoints());
        try {
            run.injectFaults(job, N / 2);

            List<Long> reports = job.result().toCompletableFuture().get(60, TimeUnit.SECONDS).collected("counts");
            Map<Long, Long> counts = ReportingCount.decode(reports);
            System.out.println("chaos " + run.describe(job));
            assertThat(counts).as(run.describe(job)).hasSize(100);
            if (run.exactlyOnce) {
                assertThat(counts).as(run.describe(job)).allSatisfy((key, count) -> assertThat(count).isEqualTo(N / 100));
            } else {
                assertThat(counts).as(run.describe(job)).allSatisfy((key, count) -> assertThat(count).isGreaterThanOrEqualTo(N / 100));
            }
        } finally {
            job.cancel();
        }
    }

    /**
     * A keyed running sum emits every update into the transactional file sink; one source
     * subtask keeps each key's order, so a failure-free run's output is known exactly.
     */
    @ParameterizedTest(name = "seed {0}, {1}")
    @MethodSource("runs")
    void when_a_transactional_job_fails_again_and_again_then_its_committed_output_equals_a_failure_free_run(long seed,
            Barriers barriers) throws Exception {
        Run run = new Run(seed, barriers);
        long values = 50_000;
        Path output = temporaryDirectory("snapflow-chaos-output-");
        JobBuilder builder = JobBuilder.create("chaos-transactional").defaultParallelism(2);
        builder.source("numbers", new GatedSequence(values, run.allowed)).parallelism(1)
                .keyBy(value -> value % 50)
                .process("sum", () -> new RunningSum(run.failures))
                .sink("files", FileSink.lines(output));
        JobHandle job = Snapflow.submit(testKit.system(), builder.build(), run.runtime(), run.checkpoints());
        try {
            run.injectFaults(job, values);

            job.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            List<String> committed = new ArrayList<>(FileSink.committedLines(output));
            List<String> expected = new ArrayList<>(RunningSum.expectedLines(values, 50));
            System.out.println("chaos-transactional " + run.describe(job) + " committed=" + committed.size());
            if (run.exactlyOnce) {
                Collections.sort(committed);
                Collections.sort(expected);
                assertThat(committed).as(run.describe(job)).isEqualTo(expected);
            } else {
                assertThat(new HashSet<>(committed)).as(run.describe(job)).isEqualTo(new HashSet<>(expected));
            }
        } finally {
            job.cancel();
        }
    }

    /** Counts per key, emitting each count, and says so in {@code finish}: output that must not repeat after a restore. */
    static final class CountAndFinish implements dev.snapflow.engine.api.KeyedProcessFunction<Long, Long, String> {
        private static final dev.snapflow.engine.api.StateDescriptor.Value<Long> COUNT = new dev.snapflow.engine.api.StateDescriptor.Value<>(
                "count", dev.snapflow.serialization.record.RecordSerializers.longs());
        private int subtask;

        @Override
        public void open(dev.snapflow.engine.api.RuntimeContext context) {
            subtask = context.subtaskIndex();
        }

        @Override
        public void processElement(Long value, Context<Long> context, dev.snapflow.engine.api.Collector<String> out) {
            dev.snapflow.engine.api.ValueState<Long> count = context.keyedState().state(COUNT);
            long next = count.value() == null ? 1 : count.value() + 1;
            count.update(next);
            out.collect(context.currentKey() + "=" + next);
        }

        @Override
        public void finish(dev.snapflow.engine.api.Collector<String> out) {
            out.collect("finished " + subtask);
        }
    }

    /** Tags each record with the subtask that saw it: behind a broadcast edge, every subtask sees every record. */
    static final class TagWithSubtask implements dev.snapflow.engine.api.ProcessFunction<Long, String> {
        private int subtask;

        @Override
        public void open(dev.snapflow.engine.api.RuntimeContext context) {
            subtask = context.subtaskIndex();
        }

        @Override
        public void processElement(Long value, Context context, dev.snapflow.engine.api.Collector<String> out) {
            out.collect(subtask + ":" + value);
        }
    }

    @ParameterizedTest(name = "seed {0}, {1}")
    @MethodSource("runs")
    void when_a_job_of_several_pipelines_fails_again_and_again_then_every_pipelines_committed_output_equals_a_failure_free_run(
            long seed, Barriers barriers) throws Exception {
        Run run = new Run(seed, barriers);
        long values = 20_000;
        long shortValues = 2_000;
        Path hops = temporaryDirectory("snapflow-chaos-hops-");
        Path finishing = temporaryDirectory("snapflow-chaos-finishing-");
        Path broadcast = temporaryDirectory("snapflow-chaos-broadcast-");
        JobBuilder builder = JobBuilder.create("chaos-topologies").defaultParallelism(2);
        // Three network hops: the sum has in-flight input on two channels and in-flight output; its
        // records are mutable and it changes them. Every value of one sum key takes one path through
        // the readings (keyed, not round robin: a rebalance does not keep a key's order across a restart).
        builder.source("numbers", new GatedSequence(values, run.allowed)).parallelism(1)
                .keyBy(value -> value % 25)
                .map("readings", SpoilingSum.Reading::new)
                .keyBy(reading -> reading.getValue() % 50)
                .process("sum", () -> new SpoilingSum(run.failures, 0))
                .keyBy(line -> line.substring(0, line.indexOf(',')))
                .map("pass", line -> line)
                .sink("hops-files", FileSink.lines(hops));
        // A short pipeline that has finished long before the faults.
        builder.source("short-numbers", dev.snapflow.engine.connectors.Sources.sequence(1, shortValues))
                .keyBy(value -> value % 7)
                .process("short-count", CountAndFinish::new)
                .sink("finishing-files", FileSink.lines(finishing));
        // A broadcast edge.
        builder.source("broadcast-numbers", new GatedSequence(values, run.allowed)).parallelism(1)
                .broadcast()
                .process("tag", TagWithSubtask::new)
                .sink("broadcast-files", FileSink.lines(broadcast));
        JobHandle job = Snapflow.submit(testKit.system(), builder.build(), run.runtime(), run.checkpoints());
        try {
            run.injectFaults(job, values);

            job.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            List<String> expectedFinishing = new ArrayList<>();
            Map<Long, Long> counts = new java.util.HashMap<>();
            for (long value = 1; value <= shortValues; value++) {
                expectedFinishing.add(value % 7 + "=" + counts.merge(value % 7, 1L, Long::sum));
            }
            expectedFinishing.add("finished 0");
            expectedFinishing.add("finished 1");
            List<String> expectedBroadcast = new ArrayList<>();
            for (long value = 0; value < values; value++) {
                expectedBroadcast.add("0:" + value);
                expectedBroadcast.add("1:" + value);
            }
            System.out.println("chaos-topologies " + run.describe(job));
            assertCommitted(run, job, hops, new ArrayList<>(RunningSum.expectedLines(values, 50)));
            assertCommitted(run, job, finishing, expectedFinishing);
            assertCommitted(run, job, broadcast, expectedBroadcast);
        } finally {
            job.cancel();
        }
    }

    private static void assertCommitted(Run run, JobHandle job, Path output, List<String> expected) throws IOException {
        List<String> committed = new ArrayList<>(FileSink.committedLines(output));
        if (run.exactlyOnce) {
            Collections.sort(committed);
            Collections.sort(expected);
            if (!committed.equals(expected)) {
                // AssertJ cuts long lists short: say exactly which lines are missing and which are extra.
                java.util.Map<String, Long> difference = new java.util.TreeMap<>();
                expected.forEach(line -> difference.merge(line, -1L, Long::sum));
                committed.forEach(line -> difference.merge(line, 1L, Long::sum));
                difference.values().removeIf(count -> count == 0);
                System.out.println("chaos difference in " + output.getFileName() + " (line=+extra/-missing): " + difference);
            }
            assertThat(committed).as(output.getFileName() + " " + run.describe(job)).isEqualTo(expected);
        } else {
            assertThat(new HashSet<>(committed)).as(output.getFileName() + " " + run.describe(job)).isEqualTo(new HashSet<>(expected));
        }
    }
}
