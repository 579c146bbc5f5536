package dev.snapflow.samples.resume;

import dev.snapflow.samples.SampleTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class StopAndRescaleTest extends SampleTest {

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
