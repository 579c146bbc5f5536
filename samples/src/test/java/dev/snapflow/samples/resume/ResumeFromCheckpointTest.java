package dev.snapflow.samples.resume;

import dev.snapflow.samples.SampleTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Smoke test: the story runs and its counts equal a sequential count. */
class ResumeFromCheckpointTest extends SampleTest {

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
