package dev.snapflow.samples.cluster;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample starts two more JVMs, kills one half-way, and the job's committed counts are exactly once. */
class ClusterFailoverSampleTest {

    @Test
    void when_a_node_is_killed_half_way_then_the_job_finishes_on_the_others_with_equal_counts() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        boolean countsEqual = ClusterFailover.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(countsEqual).as(output).isTrue();
        assertThat(output).contains("killing node 2", "left the cluster");
        assertThat(output.lines().reduce((a, b) -> b).orElseThrow())
                .matches("RESULT sample=cluster-failover nodes=3 nodes_lost=1 restarts=[1-9]\\d* counts_equal=true");
    }
}
