package dev.snapflow.engine.state;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The entries of one keyed state, key to value, in a chained hash table whose snapshots cost one
 * array copy: the technique of Flink's {@code CopyOnWriteStateMap}. A snapshot copies the bucket
 * array and raises the map's version; from then on the live map never changes an entry the
 * snapshot can reach (an entry of that version or older) but replaces it by a copy, together with
 * the entries in front of it in its chain, whose {@code next} would change. Entries are copied only
 * when a record touches them while a snapshot of them may still be written, and at most once per
 * snapshot. So a snapshot is a consistent view the subtask can hand to another thread, taken in
 * O(buckets) with no per-entry work, while the subtask goes on changing the live map.
 *
 * <p>Values are shared between the live map and a snapshot until the live map changes them.
 * Values the state changes in place (lists, maps) or hands to user code that may change them
 * (mutable types) must be read through {@link #getPrivate}, which first replaces a shared value by
 * the {@code copier}'s copy; values replaced wholesale ({@link #put}) need no copy.
 *
 * <p>Each entry keeps its key group, computed once when the key is inserted, so a snapshot is
 * grouped by key group without hashing a key again.
 *
 * <p>Confined to the subtask's thread, except {@link Snapshot}: a snapshot may be read and
 * released on any thread once taken.
 */
final class CopyOnWriteStateMap {

    /** One key's value. {@code key}, {@code hash} and {@code keyGroup} never change. */
    static final class Entry {
        final Object key;
        final int hash;
        final int keyGroup;
        Object value;
        Entry next;
        /** The map version in which this entry object was created; a snapshot of that version or later can reach it. */
        int version;
        /**
         * The map version in which the value object was stored or copied: an entry copied only
         * because of its place in a chain still shares its value with the snapshots before.
         */
        int valueVersion;
        /** The map version in whose change list this entry was put last; see {@link #changes}. */
        int changedVersion;

        Entry(Object key, int hash, int keyGroup, Object value, Entry next, int version, int valueVersion) {
            this.key = key;
            this.hash = hash;
            this.keyGroup = keyGroup;
            this.value = value;
            this.next = next;
            this.version = version;
            this.valueVersion = valueVersion;
        }

        Object key() {
            return key;
        }

        Entry next() {
            return next;
        }

        Object value() {
            return value;
        }

        int keyGroup() {
            return keyGroup;
        }
    }

    /** Computes a key's group once per insertion; may reject a key outside the subtask's range. */
    @FunctionalInterface
    interface KeyGroupFunction {
        int keyGroupOf(Object key);
    }

    private static final int MIN_CAPACITY = 64;
    private static final float LOAD_FACTOR = 0.75f;

    private final KeyGroupFunction keyGroups;
    private final UnaryOperator<Object> copier;
    private Entry[] table = new Entry[MIN_CAPACITY];
    private int size;
    /** The version of entries created now; raised by every snapshot. */
    private int version = 1;
    /**
     * Entries of this version or older may be reachable from a snapshot still being written, so
     * they are copied before they change; 0 when no snapshot is outstanding.
     */
    private int highestSharedVersion;
    /** Snapshots taken and not yet released; written by the threads that release them. */
    private final AtomicInteger outstandingSnapshots = new AtomicInteger();
    /**
     * With change tracking, what changed in this version, in order: entries put or changed (each
     * once per version) and {@link Removal}s. A snapshot takes the list; the entries in it are
     * then shared like any other, so they still hold their values at that snapshot when it is
     * written. Null without change tracking.
     */
    private ArrayList<Object> changes;
    /**
     * The change list outgrew the map (keys put and removed over and over): it was dropped, and
     * only a full snapshot can cover this version. Bounds the list's memory by the map's size.
     */
    private boolean changesOverflowed;

    /** A key removed from the map, in a change list. */
    record Removal(Object key, int keyGroup) {
    }

    /**
     * @param keyGroups the key group of a key, computed when it is first inserted
     * @param copier    a private copy of a value, for {@link #getPrivate}; for immutable values
     *                  returned as they are, the identity
     */
    CopyOnWriteStateMap(KeyGroupFunction keyGroups, UnaryOperator<Object> copier) {
        this.keyGroups = Objects.requireNonNull(keyGroups, "keyGroups");
        this.copier = Objects.requireNonNull(copier, "copier");
    }

    /** Records what changes from now on, for snapshots of what changed since the one before. */
    void trackChanges() {
        if (changes == null) {
            changes = new ArrayList<>();
        }
    }

    private void changed(Entry e) {
        if (changes != null && e.changedVersion != version) {
            e.changedVersion = version;
            recordChange(e);
        }
    }

    private void recordChange(Object change) {
        if (changesOverflowed) {
            return;
        }
        if (changes.size() >= 2L * size + 1024) {
            changesOverflowed = true;
            changes = new ArrayList<>();
            return;
        }
        changes.add(change);
    }

    /** True if what changed since the last snapshot that took changes is no longer known: the next one must be full. */
    boolean changesOverflowed() {
        return changesOverflowed;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    private static int hashOf(Object key) {
        int h = key.hashCode();
        return h ^ (h >>> 16);
    }

    /** The value of {@code key}, or null; a value a snapshot shares must not be changed in place. */
    Object get(Object key) {
        int hash = hashOf(key);
        Entry e = find(key, hash, hash & (table.length - 1));
        return e == null ? null : e.value;
    }

    /** The value of {@code key}, or null; a value no snapshot shares, so it may be changed in place. */
    Object getPrivate(Object key) {
        int hash = hashOf(key);
        int index = hash & (table.length - 1);
        Entry e = find(key, hash, index);
        if (e == null) {
            return null;
        }
        e = writable(index, e);
        if (e.valueVersion <= highestSharedVersion) {
            e.value = copier.apply(e.value);
            e.valueVersion = version;
        }
        changed(e); // the caller may change the value in place
        return e.value;
    }

    void put(Object key, Object value) {
        int hash = hashOf(key);
        int index = hash & (table.length - 1);
        Entry e = find(key, hash, index);
        if (e != null) {
            e = writable(index, e);
            e.value = value;
            e.valueVersion = version;
            changed(e);
            return;
        }
        // A new entry goes in front of the chain: no entry a snapshot reaches changes.
        Entry added = new Entry(key, hash, keyGroups.keyGroupOf(key), value, table[index], version, version);
        table[index] = added;
        changed(added);
        if (++size > table.length * LOAD_FACTOR) {
            grow();
        }
    }

    void remove(Object key) {
        int hash = hashOf(key);
        int index = hash & (table.length - 1);
        Entry previous = null;
        for (Entry e = table[index]; e != null; previous = e, e = e.next) {
            if (e.hash == hash && key.equals(e.key)) {
                if (previous == null) {
                    table[index] = e.next;
                } else {
                    if (previous.version <= highestSharedVersion) {
                        previous = privateEntry(index, previous);
                    }
                    previous.next = e.next;
                }
                size--;
                if (changes != null) {
                    recordChange(new Removal(e.key, e.keyGroup));
                }
                return;
            }
        }
    }

    private Entry find(Object key, int hash, int index) {
        for (Entry e = table[index]; e != null; e = e.next) {
            if (e.hash == hash && key.equals(e.key)) {
                return e;
            }
        }
        return null;
    }

    /** {@code e} itself, or its copy if a snapshot can reach it. */
    private Entry writable(int index, Entry e) {
        return e.version <= highestSharedVersion ? privateEntry(index, e) : e;
    }

    /**
     * Replaces {@code target} and every shared entry in front of it in its chain by copies of this
     * version, so that changing the returned entry or any {@code next} before it leaves every
     * snapshot's view intact. Returns the copy of {@code target}.
     */
    private Entry privateEntry(int index, Entry target) {
        Entry previous = null;
        for (Entry e = table[index]; ; previous = e, e = e.next) {
            Entry current = e;
            if (e.version <= highestSharedVersion) {
                current = new Entry(e.key, e.hash, e.keyGroup, e.value, e.next, version, e.valueVersion);
                current.changedVersion = e.changedVersion;
                if (previous == null) {
                    table[index] = current;
                } else {
                    previous.next = current;
                }
            }
            if (e == target) {
                return current;
            }
            e = current;
        }
    }

    private void grow() {
        Entry[] old = table;
        Entry[] grown = new Entry[old.length * 2];
        int mask = grown.length - 1;
        for (Entry head : old) {
            for (Entry e = head; e != null; ) {
                Entry following = e.next;
                // Relinking changes next: an entry a snapshot reaches is copied instead.
                Entry moved = e;
                if (e.version <= highestSharedVersion) {
                    moved = new Entry(e.key, e.hash, e.keyGroup, e.value, null, version, e.valueVersion);
                    moved.changedVersion = e.changedVersion;
                }
                int index = e.hash & mask;
                moved.next = grown[index];
                grown[index] = moved;
                e = following;
            }
        }
        table = grown;
    }

    /** Calls {@code action} with every entry's key and value, on the subtask's thread. */
    void forEach(java.util.function.BiConsumer<Object, Object> action) {
        for (Entry head : table) {
            for (Entry e = head; e != null; e = e.next) {
                action.accept(e.key, e.value);
            }
        }
    }

    /**
     * A consistent view of the map as it is now, readable on any thread while the live map
     * changes. Release it when it has been written, so entries stop being copied.
     */
    Snapshot snapshot() {
        return snapshot(false);
    }

    /**
     * @param takeChanges whether the snapshot takes what changed since the last one that did
     *                    ({@link Snapshot#changes()}), so the next one that does starts afresh; a
     *                    snapshot that does not (a savepoint's) leaves the changes to the next one
     */
    Snapshot snapshot(boolean takeChanges) {
        return snapshot(takeChanges, true);
    }

    /**
     * Only what changed since the last snapshot that took changes, in O(1): no buckets
     * ({@link Snapshot#buckets()} is empty).
     */
    Snapshot snapshotChanges() {
        return snapshot(true, false);
    }

    private Snapshot snapshot(boolean takeChanges, boolean withBuckets) {
        List<Object> taken = List.of();
        if (takeChanges && changes != null) {
            taken = changes;
            changes = new ArrayList<>(Math.max(16, taken.size()));
            changesOverflowed = false;
        }
        Snapshot snapshot = new Snapshot(withBuckets ? Arrays.copyOf(table, table.length) : new Entry[0], size, taken, this);
        outstandingSnapshots.incrementAndGet();
        highestSharedVersion = version;
        version++;
        return snapshot;
    }

    /**
     * Forgets snapshots that were released, so entries need no copy before they change. Called on
     * the subtask's thread; a snapshot that is never released only keeps every entry copied once
     * per later snapshot, which is what overlapping snapshots cost anyway.
     */
    void forgetReleasedSnapshots() {
        if (outstandingSnapshots.get() == 0) {
            highestSharedVersion = 0;
        }
    }

    /** A view of the map at one version: its buckets as they were, whose entries no longer change. */
    static final class Snapshot {
        private final Entry[] buckets;
        private final int size;
        private final List<Object> changes;
        private CopyOnWriteStateMap owner;

        private Snapshot(Entry[] buckets, int size, List<Object> changes, CopyOnWriteStateMap owner) {
            this.buckets = buckets;
            this.size = size;
            this.changes = changes;
            this.owner = owner;
        }

        /**
         * What changed since the last snapshot that took changes, in order: {@link Entry}s (as they
         * were at this snapshot) and {@link Removal}s. Empty if this one did not take them.
         */
        List<Object> changes() {
            return changes;
        }

        int size() {
            return size;
        }

        /** The view's buckets, each the head of a chain of entries; the caller must not change them. */
        Entry[] buckets() {
            return buckets;
        }

        /** Lets the live map change in place what this view shares; idempotent, any thread. */
        synchronized void release() {
            if (owner != null) {
                owner.outstandingSnapshots.decrementAndGet();
                owner = null;
            }
        }
    }
}
