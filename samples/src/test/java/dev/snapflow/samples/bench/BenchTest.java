package dev.snapflow.samples.bench;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Smoke test: small runs of both workloads print a well-formed RESULT line. No timings are asserted. */
class BenchTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @Test
    void when_w1_runs_small_then_it_prints_the_harness_keys() throws Exception {
        String line = Bench.run(testKit.system(), new Bench.Params("W1", "none", 200_000, 2, 1000, 10, 1000, 0, 100, 50));

        assertThat(line).matches("RESULT impl=snapflow workload=W1 mode=none n=200000 par=2 interval_ms=0 submit_to_finish_s=[\\d.]+ "
                + "rec_per_s=[\\d.e+]+ peak_heap_mb=\\d+ sink_records=(199|200|201)");
    }

    @Test
    void when_w2_runs_small_then_every_update_reaches_the_spinning_sink() throws Exception {
        String line = Bench.run(testKit.system(), new Bench.Params("W2", "none", 2_000, 2, 100, 1, 1, 1_000, 200, 50));

        assertThat(line).startsWith("RESULT impl=snapflow workload=W2 mode=none n=2000 par=2 ").endsWith(" sink_records=2000");
    }

    @Test
    void when_w1_checkpoints_aligned_then_the_result_line_has_the_checkpoint_figures() throws Exception {
        String line = Bench.run(testKit.system(), new Bench.Params("W1", "aligned", 2_000_000, 2, 1000, 10, 1000, 0, 5, 50));

        assertThat(line).contains(" mode=aligned ", " interval_ms=5 ")
                .containsPattern("ckpt_completed=\\d+ ckpt_failed=\\d+ ckpt_e2e_p50_ms=-?\\d+ ckpt_e2e_p99_ms=-?\\d+ ckpt_e2e_max_ms=-?\\d+ "
                        + "ckpt_state_bytes_p50=\\d+ ckpt_written_bytes_p50=\\d+ persisted_inflight_avg_bytes=0 "
                        + "keyed_start_delay_p50_ms=-?\\d+ keyed_align_p50_ms=-?\\d+ keyed_sync_p50_ms=-?\\d+ keyed_async_p50_ms=-?\\d+$");
    }

    @Test
    void when_w2_checkpoints_unaligned_then_the_result_line_has_the_persisted_in_flight_bytes() throws Exception {
        String line = Bench.run(testKit.system(), new Bench.Params("W2", "unaligned", 20_000, 2, 100, 1, 1, 20_000, 20, 50));

        assertThat(line).contains(" mode=unaligned ", " sink_records=20000 ").containsPattern(" persisted_inflight_avg_bytes=\\d+ ");
    }

    @Test
    void when_w3_runs_small_then_every_key_is_stored_once_and_the_hot_keys_keep_changing() throws Exception {
        String line = Bench.run(testKit.system(), new Bench.Params("W3", "aligned", 400_000, 2, 100_000, 1_000, 1000, 0, 20, 50));

        assertThat(line).startsWith("RESULT impl=snapflow workload=W3 mode=aligned n=400000 par=2 interval_ms=20 ")
                .containsPattern(" sink_records=(399|400|401) ckpt_completed=\\d+ ");
    }

    @Test
    void when_an_unknown_mode_is_asked_then_it_is_refused_clearly() {
        System.setProperty("mode", "unaligned-everywhere");
        try {
            assertThatThrownBy(Bench.Params::fromSystemProperties)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-Dmode must be none, aligned, unaligned, aligned-timeout or at-least-once");
        } finally {
            System.clearProperty("mode");
        }
    }

    @Test
    void when_percentiles_are_taken_then_they_use_the_nearest_rank() {
        assertThat(Bench.percentile(java.util.List.of(1L, 2L, 3L, 4L), 50)).isEqualTo(2);
        assertThat(Bench.percentile(java.util.List.of(1L, 2L, 3L, 4L), 99)).isEqualTo(4);
        assertThat(Bench.percentile(java.util.List.of(), 50)).isEqualTo(-1);
    }
}
