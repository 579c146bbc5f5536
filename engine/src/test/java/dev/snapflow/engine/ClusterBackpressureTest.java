package dev.snapflow.engine;

import com.typesafe.config.ConfigFactory;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.ProcessFunction;
import dev.snapflow.engine.cluster.ClusterJob;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.JobParameters;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fast producer on one node and a slow consumer on another, with Artery frames small enough that
 * every batch is split into several messages: credits bound what is in flight, so Artery drops
 * nothing, and every record the sources emitted reaches the sink exactly once.
 */
class ClusterBackpressureTest {

    private static final AtomicLong EMITTED = new AtomicLong();
    private static final BitSet RECEIVED = new BitSet();
    private static final AtomicLong DUPLICATES = new AtomicLong();

    /** About a kilobyte per record, so a batch of 256 records spans several 64 KiB frames. */
    record Payload(long id, String padding) {
    }

    /** Keeps the consumer busy for a while per record, so the producers wait for credit. */
    static final class Slow implements ProcessFunction<Payload, Long> {
        @Override
        public void processElement(Payload payload, Context context, Collector<Long> out) {
            long until = System.nanoTime() + 20_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            out.collect(payload.id());
        }
    }

    static ClusterJob job(JobParameters parameters) {
        long records = parameters.getLong("records", 0);
        String padding = "p".repeat(1000);
        JobBuilder job = JobBuilder.create("backpressure");
        job.source("payloads", Sources.generator(records, i -> {
                    EMITTED.incrementAndGet();
                    return new Payload(i, padding);
                })).parallelism(1)
                .rebalance()
                .process("slow", Slow::new).parallelism(2)
                .sink("count", Sinks.forEach((Long id) -> {
                    synchronized (RECEIVED) {
                        if (RECEIVED.get((int) (long) id)) {
                            DUPLICATES.incrementAndGet();
                        }
                        RECEIVED.set((int) (long) id);
                    }
                })).parallelism(2);
        return ClusterJob.of(job.build()).withCheckpointSettings(CheckpointSettings.create(ClusterNodes.CONFIG)
                .withDirectory(Path.of(parameters.get("directory").orElseThrow())).withInterval(Duration.ofMillis(100)));
    }

    @Test
    void when_a_slow_consumer_on_another_node_backpressures_then_nothing_sent_across_is_dropped(@TempDir Path directory)
            throws Exception {
        int records = 20_000;
        try (ClusterNodes cluster = ClusterNodes.start(2, ConfigFactory.parseString("""
                akka.remote.artery.advanced.maximum-frame-size = 64KiB
                snapflow.cluster.slots = 1
                snapflow.runtime.buffer-records = 256
                """).withFallback(ClusterNodes.CONFIG))) {
            for (int i = 0; i < cluster.size(); i++) {
                SnapflowCluster.get(cluster.node(i)).registerJob("backpressure", ClusterBackpressureTest::job);
            }
            JobHandle job = SnapflowCluster.get(cluster.node(0)).submit("backpressure", JobParameters.empty()
                    .with("records", Integer.toString(records)).with("directory", directory.toString()));

            JobResult result = job.result().toCompletableFuture().get(120, TimeUnit.SECONDS);

            assertThat(EMITTED.get()).as("emitted by the source").isEqualTo(records);
            assertThat(result.records("count")).as("received by the sinks").isEqualTo(records);
            synchronized (RECEIVED) {
                assertThat(RECEIVED.cardinality()).as("distinct records received").isEqualTo(records);
            }
            assertThat(DUPLICATES.get()).isZero();
        }
    }
}
