package dev.snapflow.engine.runtime.channel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live figures of one channel, written by its actor and read by anyone (the job handle).
 * Written once per delivery, never per record.
 */
public final class ChannelMetrics {

    private final String name;
    private final int capacity;
    private final AtomicLong queuedBuffers = new AtomicLong();
    private final AtomicLong maxQueuedBuffers = new AtomicLong();
    private final AtomicLong deliveredBuffers = new AtomicLong();

    public ChannelMetrics(String name, int capacity) {
        this.name = name;
        this.capacity = capacity;
    }

    void update(ChannelQueue queue) {
        queuedBuffers.set(queue.queuedData());
        maxQueuedBuffers.set(queue.maxQueuedData());
        deliveredBuffers.set(queue.deliveredData());
    }

    /** "producer (i/p) -> consumer (j/q)". */
    public String name() {
        return name;
    }

    public int capacity() {
        return capacity;
    }

    /** Data buffers in the channel right now: its in-flight buffers. */
    public long queuedBuffers() {
        return queuedBuffers.get();
    }

    /** The most data buffers the channel ever held at once. */
    public long maxQueuedBuffers() {
        return maxQueuedBuffers.get();
    }

    public long deliveredBuffers() {
        return deliveredBuffers.get();
    }
}
