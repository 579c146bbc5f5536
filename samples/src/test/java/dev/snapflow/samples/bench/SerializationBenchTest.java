package dev.snapflow.samples.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Smoke test: the benchmark runs briefly and prints one result line per figure. No timings are asserted. */
class SerializationBenchTest {

    @Test
    void when_the_bench_runs_briefly_then_it_prints_every_figure() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        new SerializationBench(0.01, 0.02, new PrintStream(bytes, true, StandardCharsets.UTF_8)).runAll();

        List<String> results = bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("RESULT")).toList();
        assertThat(results).hasSize(4);
        assertThat(results.get(0)).startsWith("RESULT bench=serialization figure=barrier_serialize events_per_s=");
        assertThat(results.get(1)).startsWith("RESULT bench=serialization figure=barrier_deserialize events_per_s=");
        assertThat(results.get(2)).matches("RESULT bench=serialization figure=long_buffer_serialize records_per_s=\\d+ mb_per_s=[\\d.]+ buffers=\\d+");
        assertThat(results.get(3)).startsWith("RESULT bench=serialization figure=long_buffer_deserialize records_per_s=");
        assertThat(SerializationBench.recordsPerBuffer()).isEqualTo(2730);
    }
}
