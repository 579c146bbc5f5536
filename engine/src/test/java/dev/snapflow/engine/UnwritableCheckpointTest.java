package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.FileSink;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.RecordSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A checkpoint that can never be written fails the job, with its reason, once the failures are more than tolerated. */
class UnwritableCheckpointTest {

    private static ActorTestKit testKit;

    @TempDir
    Path output;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    /**
     * A state serializer that cannot write anything: every snapshot of its state fails, in the
     * asynchronous part (its values are immutable, so the snapshot copies them and writes later).
     */
    static final class BrokenSerializer implements RecordSerializer<Long> {
        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public void serialize(Long record, ByteArrayDataOutput out) throws IOException {
            throw new IOException("the disk of this serializer is full");
        }

        @Override
        public Long deserialize(ByteBufferDataInput in) throws IOException {
            throw new IOException("never written");
        }
    }

    static final class CountWithBrokenState implements KeyedProcessFunction<Long, Long, Long> {
        private static final StateDescriptor.Value<Long> COUNT = new StateDescriptor.Value<>("count", new BrokenSerializer());

        @Override
        public void processElement(Long value, Context<Long> context, Collector<Long> out) {
            Long count = context.keyedState().state(COUNT).value();
            context.keyedState().state(COUNT).update(count == null ? 1 : count + 1);
            out.collect(value);
        }
    }

    private JobHandle submit(CheckpointSettings checkpoints) {
        JobBuilder builder = JobBuilder.create("unwritable").defaultParallelism(2);
        builder.source("numbers", Sources.sequence(1, 1_000))
                .keyBy(value -> value % 10)
                .process("count", CountWithBrokenState::new)
                .sink("files", FileSink.lines(output));
        return Snapflow.submit(testKit.system(), builder.build(), RuntimeSettings.create(testKit.system()),
                checkpoints);
    }

    @Test
    void when_the_final_checkpoint_can_never_be_written_then_the_job_fails_with_its_reason() throws IOException {
        JobHandle job = submit(CheckpointSettings.create(testKit.system()).withoutInterval());

        assertThatThrownBy(() -> job.result().toCompletableFuture().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(JobExecutionException.class)
                .hasMessageContaining("the disk of this serializer is full");
        assertThat(FileSink.committedLines(output)).isEmpty();
    }

    @Test
    void when_failures_are_tolerated_then_the_job_fails_after_one_more_than_tolerated() throws Exception {
        JobHandle job = submit(CheckpointSettings.create(testKit.system()).withoutInterval().withTolerableFailures(2));

        assertThatThrownBy(() -> job.result().toCompletableFuture().get(30, TimeUnit.SECONDS))
                .hasMessageContaining("the disk of this serializer is full");
        assertThat(job.checkpointStats()).filteredOn(stats -> stats.status() == CheckpointStats.Status.FAILED).hasSize(3);
    }
}
