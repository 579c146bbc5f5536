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

/** Smoke test: the story runs and its counts equal a sequential count. */
class ResumeFromCheckpointTest {

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
    void when_the_job_is_stopped_and_resumed_then_the_counts_equal_a_sequential_count() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        boolean equal = ResumeFromCheckpoint.run(testKit.system(), directory, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(equal).isTrue();
        assertThat(output).contains("First run, stopped after 20000 of 40000 lines.", "Resumed from the newest checkpoint");
        assertThat(output.lines().reduce((a, b) -> b).orElseThrow())
                .matches("RESULT sample=resume lines=40000 stopped_after=20000 checkpoints=\\d+ counts_equal=true");
    }
}
