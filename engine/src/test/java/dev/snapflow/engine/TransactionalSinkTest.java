package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.FileSink;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Jobs writing through the transactional file sink end only once all their output is committed. */
class TransactionalSinkTest {

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

    private JobResult run(CheckpointSettings checkpoints, int sinkParallelism, long records) throws Exception {
        JobBuilder builder = JobBuilder.create("transactional");
        builder.source("numbers", Sources.sequence(1, records)).parallelism(2)
                .sink("files", FileSink.lines(output)).parallelism(sinkParallelism);
        JobHandle job = Snapflow.submit(testKit.system(), builder.build(), RuntimeSettings.create(testKit.system()), checkpoints);
        JobResult result = job.result().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(job.checkpointStats()).as("the final checkpoint that committed the last output")
                .anyMatch(stats -> stats.status() == CheckpointStats.Status.COMPLETED);
        return result;
    }

    private List<String> expected(long records) {
        return LongStream.rangeClosed(1, records).mapToObj(Long::toString).sorted().toList();
    }

    @Test
    void without_periodic_checkpoints_the_final_checkpoint_commits_everything() throws Exception {
        run(CheckpointSettings.create(testKit.system()).withoutInterval(), 2, 10_000);

        assertThat(FileSink.committedLines(output).stream().sorted().toList()).isEqualTo(expected(10_000));
        try (Stream<Path> files = Files.list(output)) {
            assertThat(files.map(file -> file.getFileName().toString())).noneMatch(name -> name.startsWith("."));
        }
    }

    @Test
    void with_periodic_checkpoints_every_record_is_committed_once() throws Exception {
        run(CheckpointSettings.create(testKit.system()).withInterval(Duration.ofMillis(10)), 3, 200_000);

        assertThat(FileSink.committedLines(output).stream().sorted().toList()).isEqualTo(expected(200_000));
        assertThat(FileSink.committedParts(output)).isNotEmpty();
    }
}
