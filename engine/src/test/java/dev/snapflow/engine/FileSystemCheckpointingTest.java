package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.storage.FileSystemCheckpointStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A running job checkpoints periodically into a directory and keeps only the retained checkpoints there. */
class FileSystemCheckpointingTest {

    private static ActorTestKit testKit;

    @TempDir(cleanup = CleanupMode.NEVER)
    Path directory;

    /** Jobs of this test may still be finishing their last writes; see {@link TestDirectories}. */
    @AfterEach
    void deleteCheckpoints() {
        TestDirectories.deleteTree(directory);
    }

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @Test
    void when_a_job_checkpoints_to_a_directory_then_the_retained_checkpoints_are_on_disk_and_intact() throws Exception {
        CheckpointSettings checkpoints = CheckpointSettings.create(testKit.system())
                .withInterval(Duration.ofMillis(10)).withRetained(2).withDirectory(directory);
        JobBuilder job = JobBuilder.create("to-disk").defaultParallelism(2);
        job.source("numbers", Sources.generator(Long.MAX_VALUE, i -> i))
                .keyBy(value -> value % 100)
                .process("count", CheckpointConsistencyTest.RunningCount::new)
                .sink("out", Sinks.discard());

        JobHandle handle = Snapflow.submit(testKit.system(), job.build(),
                RuntimeSettings.create(testKit.system()).withBufferRecords(256), checkpoints);
        TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(30), () -> {
            assertThat(handle.checkpointStats()).filteredOn(s -> s.status() == CheckpointStats.Status.COMPLETED).hasSizeGreaterThanOrEqualTo(5);
            return null;
        });
        handle.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);

        Path jobDirectory = directory.resolve(handle.jobId());
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            try (Stream<Path> checkpointDirs = Files.list(jobDirectory)) {
                assertThat(checkpointDirs.filter(p -> Files.exists(p.resolve("_metadata"))).count())
                        .as("completed checkpoints on disk").isEqualTo(2);
            }
            return null;
        });
        FileSystemCheckpointStorage storage = new FileSystemCheckpointStorage(directory, handle.jobId());
        assertThat(storage.latestCompleted()).isPresent()
                .hasValueSatisfying(metadata -> assertThat(metadata.states()).hasSize(4));
    }
}
