package dev.snapflow.engine.graph;

import dev.snapflow.engine.api.KeySelector;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A job is validated before anything starts, and every error names what is wrong. */
class JobBuilderValidationTest {

    @Test
    void when_the_job_is_empty_then_build_fails() {
        assertThatThrownBy(() -> JobBuilder.create("empty").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Job 'empty' has no operators");
    }

    @Test
    void when_there_is_no_sink_then_build_fails() {
        JobBuilder job = JobBuilder.create("j");
        job.source("numbers", Sources.sequence(1, 3)).map("double", x -> x * 2);

        assertThatThrownBy(job::build).isInstanceOf(IllegalArgumentException.class).hasMessage("Job 'j' has no sink");
    }

    @Test
    void when_a_branch_ends_without_sink_then_build_names_its_last_operator() {
        JobBuilder job = JobBuilder.create("j");
        var numbers = job.source("numbers", Sources.sequence(1, 3));
        numbers.sink("out", Sinks.discard());
        numbers.map("dangling", x -> x);

        assertThatThrownBy(job::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Operator 'dangling': its output goes nowhere; end every branch of the job in a sink");
    }

    @Test
    void when_parallelism_is_below_one_then_build_names_the_operator() {
        JobBuilder job = JobBuilder.create("j");
        job.source("numbers", Sources.sequence(1, 3)).map("double", x -> x * 2).parallelism(0).sink("out", Sinks.discard());

        assertThatThrownBy(job::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Operator 'double': parallelism must be >= 1, was 0");
    }

    @Test
    void when_parallelism_exceeds_max_parallelism_then_build_names_the_operator() {
        JobBuilder job = JobBuilder.create("j");
        job.source("numbers", Sources.sequence(1, 3)).parallelism(8).maxParallelism(4).sink("out", Sinks.discard()).parallelism(8);

        assertThatThrownBy(job::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Operator 'numbers': parallelism 8 exceeds its max parallelism 4");
    }

    @Test
    void when_forward_joins_different_parallelisms_then_build_names_both_operators() {
        JobBuilder job = JobBuilder.create("j");
        job.source("numbers", Sources.sequence(1, 3)).parallelism(2)
                .forward().map("double", x -> x * 2).parallelism(3)
                .sink("out", Sinks.discard()).parallelism(3);

        assertThatThrownBy(job::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Operator 'double': forward partitioning needs the parallelism of its input 'numbers', but they are 3 and 2");
    }

    @Test
    void when_a_name_is_used_twice_then_build_names_it() {
        JobBuilder job = JobBuilder.create("j");
        job.source("step", Sources.sequence(1, 3)).map("step", x -> x).sink("out", Sinks.discard());

        assertThatThrownBy(job::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Operator name 'step' is used more than once in job 'j'");
    }

    @Test
    void when_a_uid_is_another_operators_name_then_build_names_it() {
        JobBuilder job = JobBuilder.create("j");
        job.source("numbers", Sources.sequence(1, 3)).map("double", x -> x * 2).uid("numbers").sink("out", Sinks.discard());

        assertThatThrownBy(job::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Operator uid 'numbers' is used more than once in job 'j' (an operator without a uid uses its name)");
    }

    @Test
    void when_an_operator_is_named_inflight_then_build_refuses_the_reserved_uid() {
        JobBuilder job = JobBuilder.create("j");
        job.source("numbers", Sources.sequence(1, 3)).map("inflight", x -> x * 2).sink("out", Sinks.discard());

        assertThatThrownBy(job::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Operator 'inflight': its uid 'inflight' is reserved for checkpoints' in-flight data; give the operator"
                        + " another uid or name");
    }

    @Test
    void when_no_uid_is_set_then_the_name_is_the_uid() {
        JobBuilder job = JobBuilder.create("j");
        job.source("numbers", Sources.sequence(1, 3)).map("double", x -> x * 2).uid("doubling-v1").sink("out", Sinks.discard());

        JobGraph graph = job.build();

        assertThat(graph.operators()).extracting(OperatorNode::uid).containsExactly("numbers", "doubling-v1", "out");
    }

    @Test
    void when_key_by_has_no_key_selector_then_build_names_the_keyed_operator() {
        JobBuilder job = JobBuilder.create("j");
        job.source("numbers", Sources.sequence(1, 3)).keyBy((KeySelector<Long, Long>) null)
                .map("keyed", x -> x).sink("out", Sinks.discard());

        assertThatThrownBy(job::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Operator 'keyed': keyBy needs a key selector");
    }

    @Test
    void when_there_is_no_source_then_build_fails() {
        // A job without a source cannot be described through the builder's streams, so this is the
        // only way to get there: the check still guards JobGraph's invariant.
        JobBuilder job = JobBuilder.create("no-source");
        assertThatThrownBy(job::build).hasMessage("Job 'no-source' has no operators");
    }

    @Test
    void when_parallelism_differs_then_the_default_edge_is_rebalance_and_equal_parallelism_is_forward() {
        JobBuilder job = JobBuilder.create("j");
        job.source("numbers", Sources.sequence(1, 3)).parallelism(2)
                .map("same", x -> x).parallelism(2)
                .map("wider", x -> x).parallelism(3)
                .sink("out", Sinks.discard()).parallelism(3);

        JobGraph graph = job.build();

        assertThat(graph.operator(1).input().orElseThrow().partitioning()).isEqualTo(Partitioning.FORWARD);
        assertThat(graph.operator(2).input().orElseThrow().partitioning()).isEqualTo(Partitioning.REBALANCE);
        assertThat(graph.operator(0).maxParallelism()).isEqualTo(128);
    }

    @Test
    void when_forward_edges_have_equal_parallelism_then_they_are_chained() {
        JobBuilder job = JobBuilder.create("j").defaultParallelism(2);
        var source = job.source("numbers", Sources.sequence(1, 100));
        source.map("a", x -> x).keyBy(x -> x % 3).map("b", x -> x).sink("out", Sinks.discard());
        source.broadcast().map("c", x -> x).startNewChain().sink("out2", Sinks.discard());

        ExecutionPlan plan = ExecutionPlan.of(job.build());

        assertThat(plan.chains()).extracting(ExecutionPlan.Chain::operatorIds)
                .containsExactly(List.of(0, 1), List.of(2, 3), List.of(4, 5));
        assertThat(plan.networkEdges()).extracting(ExecutionPlan.NetworkEdge::partitioning)
                .containsExactly(Partitioning.HASH, Partitioning.BROADCAST);
        assertThat(plan.networkEdges().get(0).channelsPerProducer()).isEqualTo(2);
    }
}
