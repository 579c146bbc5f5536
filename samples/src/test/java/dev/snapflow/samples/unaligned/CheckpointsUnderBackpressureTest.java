package dev.snapflow.samples.unaligned;

import dev.snapflow.samples.SampleTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointsUnderBackpressureTest extends SampleTest {

    @Test
    void when_the_sample_runs_small_then_every_mode_reports_and_the_result_line_is_computed() throws Exception {
        List<CheckpointsUnderBackpressure.Row> rows = CheckpointsUnderBackpressure.run(testKit.system(), 20_000, directory);

        assertThat(rows).extracting(CheckpointsUnderBackpressure.Row::mode)
                .containsExactly("aligned", "unaligned", "aligned, 50 ms timeout");
        assertThat(rows.get(0).unalignedCount()).isZero();
        assertThat(rows.get(0).averageInFlightBytes()).isZero();
        assertThat(rows.get(1).unalignedCount()).isEqualTo(rows.get(1).completed());
        assertThat(CheckpointsUnderBackpressure.resultLine(rows))
                .matches("RESULT sample=unaligned aligned_p50_ms=-?\\d+ unaligned_p50_ms=-?\\d+ aligned_timeout_p50_ms=-?\\d+"
                        + " unaligned_inflight_avg_bytes=\\d+ unaligned_faster=(true|false)");
    }
}
