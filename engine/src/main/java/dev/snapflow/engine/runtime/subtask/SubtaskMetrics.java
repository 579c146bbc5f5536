package dev.snapflow.engine.runtime.subtask;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live figures of one subtask, written by its actor after each turn (never per record) and read
 * by anyone.
 */
public final class SubtaskMetrics {

    private final String name;
    private final AtomicLong recordsIn = new AtomicLong();
    private final AtomicLong recordsOut = new AtomicLong();
    private final AtomicLong backpressuredNanos = new AtomicLong();

    public SubtaskMetrics(String name) {
        this.name = name;
    }

    /** "chain head (i/p)". */
    public String name() {
        return name;
    }

    /** Records the chain's head received (read from its source or its input channels). */
    public long recordsIn() {
        return recordsIn.get();
    }

    /** Records written to output channels (a broadcast record counts once per channel). */
    public long recordsOut() {
        return recordsOut.get();
    }

    /** Time spent unable to emit because an output channel had no free slot. */
    public long backpressuredNanos() {
        return backpressuredNanos.get();
    }

    void publish(long in, long out, long backpressured) {
        recordsIn.set(in);
        recordsOut.set(out);
        backpressuredNanos.set(backpressured);
    }
}
