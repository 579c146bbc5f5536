package dev.snapflow.engine;

import java.util.List;

/**
 * A snapshot of a job's live figures. Subtasks publish after every turn and channels after every
 * delivery, so the figures lag the truth by at most one turn.
 *
 * @param subtasks every subtask, chain by chain
 * @param channels every channel, edge by edge
 */
public record JobMetrics(List<Subtask> subtasks, List<Channel> channels) {

    /**
     * @param name               "operator (i/p)" of the chain's head
     * @param recordsIn          records the subtask read from its source or its channels
     * @param recordsOut         records it wrote to output channels
     * @param backpressuredMillis time it could not write because an output channel was full
     */
    public record Subtask(String name, long recordsIn, long recordsOut, long backpressuredMillis) {
    }

    /**
     * @param name             "producer (i/p) -> consumer (j/q)"
     * @param capacity         the most batches the channel may hold
     * @param queuedBuffers    batches in the channel now: its buffers in flight
     * @param maxQueuedBuffers the most batches it ever held at once; never above capacity
     * @param deliveredBuffers batches it delivered so far
     */
    public record Channel(String name, int capacity, long queuedBuffers, long maxQueuedBuffers, long deliveredBuffers) {
    }

    public JobMetrics {
        subtasks = List.copyOf(subtasks);
        channels = List.copyOf(channels);
    }
}
