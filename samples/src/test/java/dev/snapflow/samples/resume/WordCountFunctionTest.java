package dev.snapflow.samples.resume;

import dev.snapflow.engine.testing.FunctionTestHarness;
import dev.snapflow.engine.testing.OperatorSnapshot;
import dev.snapflow.serialization.record.Tuple2;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The samples' word count function on its own, in the test harness: no job, no actors. */
class WordCountFunctionTest {

    private static FunctionTestHarness<String, Tuple2<String, Long>> wordCount() {
        return FunctionTestHarness.forKeyedProcessFunction(new ResumeFromCheckpoint.WordCount(), (String word) -> word);
    }

    @Test
    void counts_survive_a_snapshot_and_are_reported_at_the_end() throws Exception {
        var harness = wordCount();
        harness.processElements("to", "be", "or", "not", "to", "be");
        assertThat(harness.output()).as("the word count reports only at the end").isEmpty();
        OperatorSnapshot snapshot = harness.snapshot(1);

        var restored = wordCount().initializeState(snapshot);
        restored.processElement("to");
        restored.finish();
        assertThat(restored.output()).containsExactlyInAnyOrder(
                Tuple2.of("to", 3L), Tuple2.of("be", 2L), Tuple2.of("or", 1L), Tuple2.of("not", 1L));
    }

    @Test
    void its_counts_are_its_own_bytes_and_cannot_be_split() throws Exception {
        var harness = wordCount();
        harness.processElement("to");
        OperatorSnapshot snapshot = harness.snapshot(1);

        assertThatThrownBy(() -> wordCount().withSubtask(0, 2).initializeState(snapshot)).hasMessageContaining("cannot be split");
    }
}
