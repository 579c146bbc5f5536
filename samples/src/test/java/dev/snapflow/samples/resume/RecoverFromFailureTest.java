package dev.snapflow.samples.resume;

import dev.snapflow.samples.SampleTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Smoke test: the job fails once, restarts from its checkpoint, and its counts equal a sequential count. */
class RecoverFromFailureTest extends SampleTest {

    @Test
    void when_the_job_fails_half_way_then_it_recovers_and_the_counts_equal_a_sequential_count() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        boolean recovered = RecoverFromFailure.run(testKit.system(), directory, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(recovered).isTrue();
        assertThat(output).contains("attempt 1 failed in count", "Injected failure while counting", "restarted: true");
        assertThat(output.lines().reduce((a, b) -> b).orElseThrow())
                .matches("RESULT sample=wordcount failures_injected=1 restarts=1 checkpoints=\\d+ counts_equal=true");
    }
}
