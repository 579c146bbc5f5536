package dev.snapflow.engine.runtime.gate;

import java.util.ArrayList;
import java.util.List;

/**
 * The credits a consumer gives its channels, as in Flink's credit-based flow control: every
 * channel owns {@code exclusive} credits that it always gets back, and a pool of
 * {@code floating} credits is lent to channels that announce a backlog, then returned to the pool
 * as their batches are processed. Actor-confined.
 *
 * <p>Invariant per channel c: {@code unused[c] + inProcess[c] == exclusive + floating[c]}, where
 * {@code inProcess} counts batches delivered but not yet processed. So the batches a consumer
 * holds never exceed {@code channels * exclusive + floatingPool}.
 */
public final class CreditBalance {

    /** Credits to send to one channel. */
    public record Grant(int channel, int credits) {
    }

    private final int exclusive;
    /** unused[c]: credits granted to channel c and not yet spent on a delivered batch. */
    private final int[] unused;
    /** floating[c]: pool credits lent to channel c and not yet returned. */
    private final int[] floating;
    /** backlog[c]: the data batches channel c last said it still holds. */
    private final int[] backlog;
    /** Pool credits not lent to any channel, {@code 0..floatingPool}. */
    private int pool;

    public CreditBalance(int channels, int exclusive, int floatingPool) {
        if (channels < 1 || exclusive < 1 || floatingPool < 0) {
            throw new IllegalArgumentException("Need channels >= 1, exclusive >= 1 and floatingPool >= 0, were "
                    + channels + ", " + exclusive + ", " + floatingPool);
        }
        this.exclusive = exclusive;
        this.unused = new int[channels];
        this.floating = new int[channels];
        this.backlog = new int[channels];
        this.pool = floatingPool;
    }

    /** The first grants: every channel's exclusive credits (C1). */
    public List<Grant> initialGrants() {
        List<Grant> grants = new ArrayList<>();
        for (int channel = 0; channel < unused.length; channel++) {
            unused[channel] = exclusive;
            grants.add(new Grant(channel, exclusive));
        }
        return grants;
    }

    /**
     * Channel {@code channel} delivered {@code batches} data batches and still holds {@code backlog}.
     *
     * @return floating credits to lend it now, possibly 0
     */
    public int onDelivered(int channel, int batches, int backlog) {
        if (batches > unused[channel]) {
            throw new IllegalStateException("Rule C2: channel " + channel + " delivered " + batches
                    + " batches with only " + unused[channel] + " credits");
        }
        unused[channel] -= batches;
        this.backlog[channel] = backlog;
        return lend(channel);
    }

    /** Channel {@code channel} announced {@code backlog} batches waiting for credit (C4). */
    public int onBacklogAnnounced(int channel, int backlog) {
        this.backlog[channel] = backlog;
        return lend(channel);
    }

    /**
     * One batch of {@code channel} was processed: its credit goes back to the pool if the channel
     * held a floating one (and the pool is lent out again to channels with a backlog), otherwise
     * straight back to the channel.
     */
    public List<Grant> onProcessed(int channel) {
        if (floating[channel] == 0) {
            unused[channel]++;
            return List.of(new Grant(channel, 1));
        }
        floating[channel]--;
        pool++;
        List<Grant> grants = new ArrayList<>(1);
        for (int i = 0; i < unused.length && pool > 0; i++) {
            int candidate = (channel + i) % unused.length;
            int lent = lend(candidate);
            if (lent > 0) {
                grants.add(new Grant(candidate, lent));
            }
        }
        return grants;
    }

    private int lend(int channel) {
        int wanted = backlog[channel] - unused[channel];
        if (wanted <= 0 || pool == 0) {
            return 0;
        }
        int lent = Math.min(wanted, pool);
        pool -= lent;
        floating[channel] += lent;
        unused[channel] += lent;
        return lent;
    }

    public int pool() {
        return pool;
    }

    public int unused(int channel) {
        return unused[channel];
    }
}
