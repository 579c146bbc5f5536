package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.snapflow.engine.api.CheckpointListener;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.ReadStatus;
import dev.snapflow.engine.api.Sink;
import dev.snapflow.engine.api.SinkWriter;
import dev.snapflow.engine.api.Source;
import dev.snapflow.engine.api.SourceReader;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Checkpoints around the life of subtasks: finished sources, completion notifications. */
class CheckpointLifecycleTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    /** Subtask 0 emits ten numbers and ends; every other subtask never ends. */
    static final class OneShortSubtask implements Source<Long> {
        @Override
        public SourceReader<Long> createReader(int subtaskIndex, int parallelism) throws Exception {
            SourceReader<Long> endless = Sources.generator(Long.MAX_VALUE, i -> i).createReader(subtaskIndex, parallelism);
            return subtaskIndex != 0 ? endless : new SourceReader<>() {
                private long emitted;

                @Override
                public ReadStatus read(Collector<Long> output, int maxRecords) {
                    while (emitted < 10) {
                        output.collect(emitted++);
                    }
                    return ReadStatus.END_OF_INPUT;
                }

                @Override
                public long position() {
                    return emitted;
                }

                @Override
                public void seek(long position) {
                    emitted = position;
                }
            };
        }
    }

    /** Records the checkpoints it heard completed. */
    static Sink<Long> listeningSink(Queue<Long> completed) {
        return context -> new ListeningWriter(completed);
    }

    static final class ListeningWriter implements SinkWriter<Long>, CheckpointListener {
        private final Queue<Long> completed;

        ListeningWriter(Queue<Long> completed) {
            this.completed = completed;
        }

        @Override
        public void write(Long record) {
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            completed.add(checkpointId);
        }
    }

    @Test
    void when_a_source_subtask_has_finished_then_later_checkpoints_still_complete_and_sinks_hear_of_them() throws Exception {
        Queue<Long> heard = new ConcurrentLinkedQueue<>();
        JobBuilder job = JobBuilder.create("half-finished").defaultParallelism(2);
        job.source("numbers", new OneShortSubtask())
                .keyBy(value -> value % 7)
                .map("same", value -> value)
                .sink("listening", listeningSink(heard));
        JobHandle handle = Snapflow.submit(testKit.system(), job.build(), RuntimeSettings.create(testKit.system()),
                CheckpointSettings.create(testKit.system()).withoutInterval());
        TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            assertThat(handle.metrics().subtasks()).filteredOn(s -> s.name().equals("numbers (1/2)"))
                    .singleElement().satisfies(s -> assertThat(s.recordsIn()).isEqualTo(10));
            assertThat(handle.metrics().subtasks()).filteredOn(s -> s.name().equals("numbers (2/2)"))
                    .singleElement().satisfies(s -> assertThat(s.recordsIn()).isGreaterThan(10_000));
            return null;
        });

        for (int i = 1; i <= 3; i++) {
            CheckpointStats stats = handle.triggerCheckpoint(Duration.ofSeconds(10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(stats.status()).isEqualTo(CheckpointStats.Status.COMPLETED);
            assertThat(stats.subtasks()).hasSize(4);
        }

        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            // Two sink subtasks, each told of checkpoints 1, 2 and 3.
            assertThat(heard).containsExactlyInAnyOrder(1L, 1L, 2L, 2L, 3L, 3L);
            return null;
        });
        handle.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
