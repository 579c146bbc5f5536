package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.FileSink;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.graph.JobGraph;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.record.Tuple2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A savepoint written by one JVM is resumed by another at another parallelism: keys whose hash
 * codes are not values (enums, and records and tuples holding them) must find their state there,
 * which they do only if their key groups do not depend on the JVM.
 */
class CrossProcessRestoreTest {

    static final long VALUES = 30_000;
    static final AtomicLong ALLOWED = new AtomicLong();
    private static ActorTestKit testKit;

    @TempDir
    Path work;

    public enum Kind { ALPHA, BETA, GAMMA, DELTA, EPSILON }

    public record Sensor(Kind kind, String site) {
    }

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    static Kind kind(long value) {
        return Kind.values()[(int) (value % Kind.values().length)];
    }

    /** Counts per key and emits {@code "key=count"}. */
    static final class Count<K> implements KeyedProcessFunction<K, Long, String> {
        private static final StateDescriptor.Value<Long> COUNT = new StateDescriptor.Value<>("count", RecordSerializers.longs());

        @Override
        public void processElement(Long value, Context<K> context, Collector<String> out) {
            ValueState<Long> count = context.keyedState().state(COUNT);
            long next = count.value() == null ? 1 : count.value() + 1;
            count.update(next);
            out.collect(context.currentKey() + "=" + next);
        }
    }

    /** Three independent pipelines, keyed by an enum, a record holding an enum, and a tuple holding one. */
    static JobGraph job(Path output, int parallelism) {
        JobBuilder job = JobBuilder.create("cross-process").defaultParallelism(parallelism);
        pipeline(job, "enum", value -> kind(value), output);
        pipeline(job, "record", value -> new Sensor(kind(value), "site-" + value % 7), output);
        pipeline(job, "tuple", value -> Tuple2.of(kind(value), value % 11), output);
        return job.build();
    }

    private static <K> void pipeline(JobBuilder job, String name, Function<Long, K> key, Path output) {
        job.source(name + "-numbers", new GatedSequence(VALUES, ALLOWED)).parallelism(1)
                .keyBy(key::apply)
                .process(name + "-count", Count<K>::new)
                .sink(name + "-files", FileSink.lines(output.resolve(name)));
    }

    /**
     * The first process: runs the job at parallelism 2 over the first third of the values, stops it
     * with a savepoint and prints the savepoint's path.
     */
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "writer");
        try {
            ALLOWED.set(VALUES / 3);
            JobHandle job = Snapflow.submit(system, job(work.resolve("output"), 2),
                    RuntimeSettings.create(system).withIdleSourcePollInterval(Duration.ofMillis(1)),
                    CheckpointSettings.create(system).withInterval(Duration.ofMillis(50)).withDirectory(work.resolve("first")));
            while (job.metrics().subtasks().stream().filter(s -> s.name().contains("-count"))
                    .mapToLong(JobMetrics.Subtask::recordsIn).sum() < 3 * (VALUES / 3)) {
                Thread.sleep(5); // a program waiting for its job, not a test synchronizing
            }
            Path savepoint = job.stopWithSavepoint(work.resolve("savepoints"), Duration.ofSeconds(30))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            job.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            Files.writeString(work.resolve("savepoint-path"), savepoint.toString(), StandardCharsets.UTF_8);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_savepoint_written_by_another_jvm_resumes_at_another_parallelism_with_every_key_finding_its_state()
            throws Exception {
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrossProcessRestoreTest.class.getName(), work.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("writer.log").toFile()).start();
        assertThat(writer.waitFor(120, TimeUnit.SECONDS)).as("the writing JVM ended").isTrue();
        assertThat(writer.exitValue()).as(Files.readString(work.resolve("writer.log"))).isZero();
        Path savepoint = Path.of(Files.readString(work.resolve("savepoint-path")));

        ALLOWED.set(Long.MAX_VALUE);
        JobHandle resumed = Snapflow.submitFromCheckpoint(testKit.system(), job(work.resolve("output"), 3), savepoint,
                RuntimeSettings.create(testKit.system()), CheckpointSettings.create(testKit.system())
                        .withInterval(Duration.ofMillis(50)).withDirectory(work.resolve("second")));
        resumed.result().toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(committed("enum")).isEqualTo(expected(CrossProcessRestoreTest::kind));
        assertThat(committed("record")).isEqualTo(expected(value -> new Sensor(kind(value), "site-" + value % 7)));
        assertThat(committed("tuple")).isEqualTo(expected(value -> Tuple2.of(kind(value), value % 11)));
    }

    private List<String> committed(String pipeline) throws IOException {
        return FileSink.committedLines(work.resolve("output").resolve(pipeline)).stream().sorted().toList();
    }

    private static List<String> expected(Function<Long, Object> key) {
        Map<Object, Long> counts = new HashMap<>();
        List<String> lines = new ArrayList<>();
        for (long value = 0; value < VALUES; value++) {
            Object k = key.apply(value);
            lines.add(k + "=" + counts.merge(k, 1L, Long::sum));
        }
        return lines.stream().sorted().toList();
    }
}
