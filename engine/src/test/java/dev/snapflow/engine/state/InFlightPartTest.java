package dev.snapflow.engine.state;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InFlightPartTest {

    @Test
    void when_uids_hold_arrows_and_slashes_then_the_name_reads_back_as_the_same_channel() {
        InFlightPart part = new InFlightPart(true, "parse->enrich", "count/by key", "hash", 2, 3, 1);

        assertThat(InFlightPart.parse(part.name())).contains(part);
        assertThat(part.name()).startsWith(SubtaskState.IN_FLIGHT_PREFIX);
    }

    @Test
    void the_name_says_how_the_edge_partitions() {
        assertThat(new InFlightPart(false, "a", "b", InFlightPart.partitioningName("BROADCAST"), 1, 2, 1).name())
                .isEqualTo("inflight/out/a->b/broadcast/1x2/1");
    }

    @Test
    void when_a_name_is_not_in_flight_data_then_it_is_not_a_part() {
        assertThat(InFlightPart.parse("count/keyed")).isEmpty();
    }

    @Test
    void when_a_name_is_damaged_then_the_error_names_it() {
        assertThatThrownBy(() -> InFlightPart.parse("inflight/in/a->b/hash/2x/1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inflight/in/a->b/hash/2x/1");
        assertThatThrownBy(() -> InFlightPart.parse("inflight/in/a->b/2x2/1"))
                .as("without a partitioning").isInstanceOf(IllegalArgumentException.class);
    }
}
