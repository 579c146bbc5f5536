package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deliberately slow sink behind fast sources: the channels fill up to their capacity and no
 * further, the sources are held back, and the job still finishes with every record.
 */
class BackpressureTest {

    private static final int RECORDS = 4_000;
    private static final int CAPACITY = 2;
    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {1, 2, 3})
    void when_the_sink_is_slow_then_channels_never_exceed_capacity_and_the_job_finishes(int parallelism) throws Exception {
        RuntimeSettings settings = RuntimeSettings.create(testKit.system())
                .withBufferRecords(16)
                .withChannelCapacity(CAPACITY)
                .withCreditsPerChannel(1)
                .withFloatingCreditsPerGate(1);
        JobBuilder job = JobBuilder.create("slow-sink");
        job.source("numbers", Sources.sequence(1, RECORDS)).parallelism(parallelism)
                .rebalance().map("identity", x -> x).parallelism(parallelism)
                .sink("slow", Sinks.forEach(x -> LockSupport.parkNanos(50_000))).parallelism(parallelism);

        JobHandle handle = Snapflow.submit(testKit.system(), job.build(), settings);
        JobResult result = handle.result().toCompletableFuture().get(120, TimeUnit.SECONDS);

        assertThat(result.records("slow")).isEqualTo(RECORDS);
        JobMetrics metrics = handle.metrics();
        assertThat(metrics.channels()).hasSize(parallelism * parallelism);
        assertThat(metrics.channels()).allSatisfy(channel -> {
            assertThat(channel.capacity()).isEqualTo(CAPACITY);
            assertThat(channel.maxQueuedBuffers()).as(channel.name()).isLessThanOrEqualTo(CAPACITY);
        });
        // The bound was really exercised: the pipeline filled up and the sources had to wait.
        assertThat(metrics.channels()).anySatisfy(channel -> assertThat(channel.maxQueuedBuffers()).isEqualTo(CAPACITY));
        assertThat(metrics.subtasks().stream().filter(s -> s.name().startsWith("numbers")))
                .anySatisfy(source -> assertThat(source.backpressuredMillis()).isPositive());
        assertThat(metrics.subtasks().stream().filter(s -> s.name().startsWith("numbers")).mapToLong(JobMetrics.Subtask::recordsOut).sum())
                .isEqualTo(RECORDS);
    }
}
