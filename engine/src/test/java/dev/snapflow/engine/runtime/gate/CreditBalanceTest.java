package dev.snapflow.engine.runtime.gate;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CreditBalanceTest {

    @Test
    @DisplayName("C1: every channel starts with its exclusive credits")
    void rule_C1_when_started_then_every_channel_gets_its_exclusive_credits() {
        CreditBalance balance = new CreditBalance(3, 2, 8);

        assertThat(balance.initialGrants()).containsExactly(
                new CreditBalance.Grant(0, 2), new CreditBalance.Grant(1, 2), new CreditBalance.Grant(2, 2));
    }

    @Test
    @DisplayName("C9: a credit comes back when its batch has been processed")
    void rule_C9_when_a_batch_on_an_exclusive_credit_is_processed_then_the_credit_goes_back_to_its_channel() {
        CreditBalance balance = new CreditBalance(2, 2, 0);
        balance.initialGrants();
        balance.onDelivered(1, 1, 0);

        assertThat(balance.onProcessed(1)).containsExactly(new CreditBalance.Grant(1, 1));
        assertThat(balance.unused(1)).isEqualTo(2);
    }

    @Test
    @DisplayName("C4: a channel with a backlog borrows floating credits, which return to the pool when used")
    void rule_C4_when_a_channel_announces_a_backlog_then_it_borrows_from_the_pool() {
        CreditBalance balance = new CreditBalance(2, 1, 3);
        balance.initialGrants();
        balance.onDelivered(0, 1, 0);

        int lent = balance.onBacklogAnnounced(0, 5);

        assertThat(lent).isEqualTo(3);
        assertThat(balance.pool()).isZero();
        balance.onDelivered(0, 3, 2);
        // The first processed batch returns a floating credit, which goes straight back to the channel with the backlog.
        assertThat(balance.onProcessed(0)).containsExactly(new CreditBalance.Grant(0, 1));
    }

    @Test
    void when_the_backlog_is_covered_by_unused_credits_then_nothing_is_lent() {
        CreditBalance balance = new CreditBalance(1, 2, 4);
        balance.initialGrants();

        assertThat(balance.onBacklogAnnounced(0, 2)).isZero();
        assertThat(balance.pool()).isEqualTo(4);
    }

    @Test
    void when_floating_credits_return_then_another_waiting_channel_gets_them() {
        CreditBalance balance = new CreditBalance(2, 1, 1);
        balance.initialGrants();
        balance.onDelivered(0, 1, 1);
        assertThat(balance.onBacklogAnnounced(0, 1)).isZero(); // already lent on delivery
        balance.onDelivered(0, 1, 0);
        balance.onDelivered(1, 1, 3);

        assertThat(balance.onProcessed(0)).containsExactly(new CreditBalance.Grant(1, 1));
    }

    @Test
    @DisplayName("C2: a channel cannot deliver more batches than it has credits")
    void rule_C2_when_a_channel_overdelivers_then_it_is_a_protocol_violation() {
        CreditBalance balance = new CreditBalance(1, 1, 0);
        balance.initialGrants();

        assertThatThrownBy(() -> balance.onDelivered(0, 2, 0)).hasMessageContaining("Rule C2");
    }
}
