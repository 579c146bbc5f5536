package dev.snapflow.samples.streams;

import dev.snapflow.samples.SampleTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Smoke test: orders from Akka Streams, a failure, totals released exactly once into an Akka Streams file sink. */
class StreamedOrdersTest extends SampleTest {

    @Test
    void when_the_job_fails_after_a_checkpoint_then_the_stream_sink_still_gets_every_total_once() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        boolean exact = StreamedOrders.run(testKit.system(), directory, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exact).isTrue();
        assertThat(output).contains("attempt 1 failed in total", "restarted: true");
        assertThat(output.lines().reduce((a, b) -> b).orElseThrow()).matches(
                "RESULT sample=akka-streams orders=12000 failures_injected=1 restarts=1 released=12000 duplicates=0 counts_equal=true");
    }
}
