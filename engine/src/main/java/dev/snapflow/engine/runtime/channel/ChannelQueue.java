package dev.snapflow.engine.runtime.channel;

import java.util.ArrayDeque;
import dev.snapflow.serialization.event.CheckpointBarrier;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The queue and credit accounting of one channel. Actor-confined: only its
 * {@link ChannelActor} calls it.
 *
 * <p>Data batches need one credit each to be delivered (C2) and occupy one of {@code capacity}
 * slots until delivered (C5); events need no credit but keep their place in the order (C3),
 * except priority events, which go to the head behind earlier priority events (C7).
 */
public final class ChannelQueue {

    /** What one drain hands to the consumer. */
    public record Delivery(List<ChannelItem> items, int deliveredData, int backlog) {
        public boolean isEmpty() {
            return items.isEmpty();
        }
    }

    private final int capacity;
    private final ArrayDeque<ChannelItem> queue = new ArrayDeque<>();
    /** Data batches in {@link #queue}; {@code 0 <= queuedData <= capacity}. */
    private int queuedData;
    /** Credits granted by the consumer and not yet spent on a data batch; {@code >= 0}. */
    private int credit;
    /** The largest {@link #queuedData} ever seen: never above capacity. */
    private int maxQueuedData;
    private long deliveredData;

    public ChannelQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Appends an item.
     *
     * @return true if the consumer must be told that data is waiting for credit (C4): the
     *         first data batch queued while no credit is left
     * @throws IllegalStateException if a data batch arrives while all slots are taken (C5)
     */
    public boolean enqueue(ChannelItem item) {
        if (item instanceof EventItem event && event.priority()) {
            enqueuePriority(event);
            return false;
        }
        if (item.isData()) {
            if (queuedData == capacity) {
                throw new IllegalStateException("Rule C5: the producer pushed a batch into a full channel (capacity " + capacity + ")");
            }
            queuedData++;
            maxQueuedData = Math.max(maxQueuedData, queuedData);
        }
        queue.addLast(item);
        return item.isData() && credit == 0 && queuedData == 1;
    }

    /**
     * Puts a priority event at the head, behind earlier priority events (C7). A priority barrier
     * replaces a queued in-order barrier of the same checkpoint (one that timed out): it overtakes
     * only the data in front of that one.
     *
     * @return the data batches it overtook, oldest first: the channel's in-flight data at that moment
     */
    public List<RecordBatch> enqueuePriority(EventItem event) {
        List<ChannelItem> head = new ArrayList<>();
        while (!queue.isEmpty() && queue.peekFirst() instanceof EventItem queued && queued.priority()) {
            head.add(queue.pollFirst());
        }
        long replaces = event.event() instanceof CheckpointBarrier barrier ? barrier.id() : -1;
        List<RecordBatch> overtaken = new ArrayList<>();
        Iterator<ChannelItem> it = queue.iterator();
        while (it.hasNext()) {
            ChannelItem item = it.next();
            if (item instanceof RecordBatch batch) {
                overtaken.add(batch);
            } else if (item instanceof EventItem queued && queued.event() instanceof CheckpointBarrier barrier
                    && barrier.id() == replaces) {
                it.remove();
                break;
            }
        }
        queue.addFirst(event);
        for (int i = head.size() - 1; i >= 0; i--) {
            queue.addFirst(head.get(i));
        }
        return overtaken;
    }

    /** Adds credits granted by the consumer. */
    public void grant(int credits) {
        if (credits < 1) {
            throw new IllegalArgumentException("credits must be >= 1, was " + credits);
        }
        credit += credits;
    }

    /** Takes everything deliverable now: events freely, data batches while credit lasts, in order. */
    public Delivery drain() {
        List<ChannelItem> items = new ArrayList<>();
        int delivered = 0;
        Iterator<ChannelItem> it = queue.iterator();
        while (it.hasNext()) {
            ChannelItem item = it.next();
            if (item.isData()) {
                if (credit == 0) {
                    break;
                }
                credit--;
                delivered++;
            }
            items.add(item);
            it.remove();
        }
        queuedData -= delivered;
        deliveredData += delivered;
        return new Delivery(items, delivered, queuedData);
    }

    public int queuedData() {
        return queuedData;
    }

    public int credit() {
        return credit;
    }

    public int maxQueuedData() {
        return maxQueuedData;
    }

    public long deliveredData() {
        return deliveredData;
    }

    public int capacity() {
        return capacity;
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }
}
