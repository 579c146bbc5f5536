package dev.snapflow.samples.resume;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.samples.TestDirectories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class StopAndRescaleTest {

    private static ActorTestKit testKit;

    /** The jobs' last checkpoint writes and deletions may still be under way when a run returns. */
    @TempDir(cleanup = CleanupMode.NEVER)
    Path directory;

    @AfterEach
    void deleteDirectory() {
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
    void when_the_job_is_stopped_and_resumed_at_another_parallelism_then_every_count_is_committed_once() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        boolean equal = StopAndRescale.run(testKit.system(), directory, new PrintStream(printed, true, StandardCharsets.UTF_8));

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(equal).as(output).isTrue();
        assertThat(output).contains("_metadata")
                .containsPattern("RESULT sample=rescale parallelism_before=2 parallelism_after=3 savepoint_files=\\d+ committed_lines=(\\d+) words=\\1 counts_equal=true");
    }
}
