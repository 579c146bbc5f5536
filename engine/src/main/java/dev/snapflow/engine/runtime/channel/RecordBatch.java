package dev.snapflow.engine.runtime.channel;

import java.util.Objects;

/**
 * A buffer of records as objects, for channels inside one JVM: the records are handed over
 * without copying or serializing. The array is owned by the batch once sent; neither side
 * writes to it afterwards.
 */
public final class RecordBatch implements ChannelItem {

    private final Object[] records;
    private final int size;
    /**
     * It took no credit: replayed from a checkpoint's in-flight data, or a leading part of a batch
     * that was split to cross nodes (only its last part holds the credit).
     */
    private final boolean creditFree;

    /**
     * @param records the array holding the records in slots {@code [0, size)}
     * @param size    the number of records, {@code 1 <= size <= records.length}
     */
    public RecordBatch(Object[] records, int size) {
        this(records, size, false);
    }

    /** @param creditFree true for a batch that took no credit (see {@link #tookNoCredit()}) */
    public RecordBatch(Object[] records, int size, boolean creditFree) {
        this.creditFree = creditFree;
        this.records = Objects.requireNonNull(records, "records");
        if (size < 1 || size > records.length) {
            throw new IllegalArgumentException("size must be in [1, " + records.length + "], was " + size);
        }
        this.size = size;
    }

    public int size() {
        return size;
    }

    public Object record(int index) {
        if (index >= size) {
            throw new IndexOutOfBoundsException("record " + index + " of " + size);
        }
        return records[index];
    }

    /** The backing array, for the consumer's read loop; only slots below {@link #size()} hold records. */
    public Object[] records() {
        return records;
    }

    /**
     * True if processing it returns no credit to its channel: it was replayed from a checkpoint's
     * in-flight data, or is a leading part of a batch split to cross nodes.
     */
    public boolean tookNoCredit() {
        return creditFree;
    }

    @Override
    public boolean isData() {
        return true;
    }

    @Override
    public String toString() {
        return "RecordBatch[" + size + " records]";
    }
}
