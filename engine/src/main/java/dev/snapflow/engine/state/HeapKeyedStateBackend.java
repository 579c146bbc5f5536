package dev.snapflow.engine.state;

import dev.snapflow.engine.api.KeyedStateStore;
import dev.snapflow.engine.api.ListState;
import dev.snapflow.engine.api.MapState;
import dev.snapflow.engine.api.ReducingState;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.RecordSerializer;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.record.ValueCodec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Keyed state on the heap: for each registered state, one {@link CopyOnWriteStateMap} from key to
 * value. Key groups matter only when state leaves the subtask, so an entry's key group is computed
 * once, when its key is inserted, not per record: one map keeps keys that arrive in order close
 * together in memory, which measured three to five times faster per access than one map per key
 * group. A snapshot's synchronous part copies each map's bucket array and nothing else; the
 * maps then copy an entry only when a record changes it while the snapshot may still be written,
 * and the snapshot is grouped by key group and serialized on another thread. It can be restored
 * into any subtask that owns a range of those key groups. A key outside this subtask's range (a
 * routing bug) fails the record that inserts it.
 *
 * <p>Keys may be of any type {@code keyBy} accepts: each key is written with its type by a
 * {@link ValueCodec}, so it reads back equal, with the same hash, whatever the first key of the
 * snapshot was. The first key of each class a subtask sees is checked to do so
 * ({@link #setCurrentKey}), so that a key type that would lose its state on restore fails at once.
 *
 * <p>Values stored with {@code update}, {@code add} or {@code put} belong to the state from then
 * on, as in Flink's heap state: a value of a mutable type is changed through what the state
 * returns ({@code value()}, {@code get()}), which is a private copy whenever a snapshot still shares
 * the stored one, never through a reference kept from before.
 *
 * <p>Snapshot format (big-endian): format version; max parallelism; the number of states; per
 * state its name, kind and the number of non-empty key groups; per key group its number and entry
 * count; per entry the key (a {@link ValueCodec} value; the key group's keys are one codec stream)
 * and the value, length-prefixed. Actor-confined to one subtask.
 */
public final class HeapKeyedStateBackend implements KeyedStateStore {

    private static final int FORMAT_VERSION = 2;
    /** The format of what changed since the snapshot before: as {@link #FORMAT_VERSION}, with a flag per key. */
    private static final int DELTA_FORMAT_VERSION = 3;
    private static final int PUT = 1;
    private static final int REMOVE = 0;

    private enum Kind { VALUE, LIST, MAP, REDUCING }

    /** One registered state: its descriptor and its entries, key to value. */
    private static final class Table {
        final StateDescriptor<?> descriptor;
        final Kind kind;
        final CopyOnWriteStateMap entries;
        /** Whether values handed to user code may be changed by it, so a shared one is copied first. */
        final boolean mutableValues;
        Object handle;

        Table(StateDescriptor<?> descriptor, Kind kind, CopyOnWriteStateMap.KeyGroupFunction keyGroups) {
            this.descriptor = descriptor;
            this.kind = kind;
            this.mutableValues = !valuesAreImmutable(descriptor, kind);
            this.entries = new CopyOnWriteStateMap(keyGroups, this::privateCopy);
        }

        private static boolean valuesAreImmutable(StateDescriptor<?> descriptor, Kind kind) {
            return switch (kind) {
                case VALUE -> ((StateDescriptor.Value<?>) descriptor).serializer().isImmutableType();
                case REDUCING -> ((StateDescriptor.Reducing<?>) descriptor).serializer().isImmutableType();
                case LIST -> ((StateDescriptor.List<?>) descriptor).serializer().isImmutableType();
                case MAP -> ((StateDescriptor.Map<?, ?>) descriptor).keySerializer().isImmutableType()
                        && ((StateDescriptor.Map<?, ?>) descriptor).valueSerializer().isImmutableType();
            };
        }

        /**
         * A copy of a value that the live state may change without touching the original: the
         * lists and maps the state changes in place, and values of mutable types, deeply.
         */
        @SuppressWarnings("unchecked")
        private Object privateCopy(Object value) {
            return switch (kind) {
                case VALUE -> mutableValues ? deepCopy(((StateDescriptor.Value<Object>) descriptor).serializer(), value) : value;
                case REDUCING -> mutableValues ? deepCopy(((StateDescriptor.Reducing<Object>) descriptor).serializer(), value) : value;
                case LIST -> {
                    RecordSerializer<Object> serializer = ((StateDescriptor.List<Object>) descriptor).serializer();
                    List<Object> copy = new ArrayList<>((List<Object>) value);
                    if (mutableValues) {
                        copy.replaceAll(element -> deepCopy(serializer, element));
                    }
                    yield copy;
                }
                case MAP -> {
                    StateDescriptor.Map<Object, Object> map = (StateDescriptor.Map<Object, Object>) descriptor;
                    Map<Object, Object> copy = new HashMap<>();
                    ((Map<Object, Object>) value).forEach((k, v) -> copy.put(mutableValues ? deepCopy(map.keySerializer(), k) : k,
                            mutableValues ? deepCopy(map.valueSerializer(), v) : v));
                    yield copy;
                }
            };
        }

        /** Reads a value by the part of its state that the value is used through. */
        Object read(Object key) {
            return mutableValues ? entries.getPrivate(key) : entries.get(key);
        }
    }

    /** A copy through the value's serializer: the one way to copy any type a state may hold. */
    private static Object deepCopy(RecordSerializer<Object> serializer, Object value) {
        try {
            ByteArrayDataOutput out = new ByteArrayDataOutput(64);
            serializer.serialize(value, out);
            return serializer.deserialize(new ByteBufferDataInput(ByteBuffer.wrap(out.toByteArray())));
        } catch (IOException e) {
            throw new IllegalStateException("A " + value.getClass().getName() + " in keyed state cannot be copied by its serializer: "
                    + e.getMessage(), e);
        }
    }

    private final int maxParallelism;
    private final KeyGroupRange range;
    private final ValueCodec keyCodec;
    /** The class of the last key checked by {@link #setCurrentKey}; null before the first key. */
    private Class<?> lastCheckedKeyClass;
    /** Every key class checked so far, for jobs whose keys alternate between classes. */
    private final java.util.Set<Class<?>> checkedKeyClasses = new java.util.HashSet<>();
    private final Map<String, Table> tables = new LinkedHashMap<>();
    /**
     * Restored state not yet registered: by state name, its kind and each key with its value
     * still as bytes, because only the descriptor, given when the state is first used, can read it.
     * Never changed after the restore, only removed by name when its state registers, so
     * snapshots share the maps.
     */
    private final Map<String, Restored> restored = new LinkedHashMap<>();

    private record Restored(Kind kind, Map<Object, byte[]> values) {
    }
    private Object currentKey;
    /**
     * The size of the last snapshot: the next one starts with that much room, so its buffer rarely
     * grows. Written by the thread that serializes, which may not be the subtask's.
     */
    private volatile int lastSnapshotBytes = 1024;

    /** Where chains of shared files are written and read; null where there is no such storage. */
    private final SharedStateStore sharedState;
    /** With incremental checkpoints, the most deltas after a full snapshot in a chain; 0 without. */
    private final int maxDeltas;
    /** The chain of the newest checkpoint this subtask heard completed; empty before the first. */
    private WrittenChain confirmedChain = WrittenChain.NONE;
    /**
     * What changed in each snapshot taken for a checkpoint not yet heard completed, oldest first:
     * the next delta covers all of it, since any of those checkpoints may still fail.
     */
    private final java.util.ArrayDeque<Epoch> unconfirmed = new java.util.ArrayDeque<>();
    /** The chains written for checkpoints not yet heard completed; filled by the threads that write them. */
    private final Map<Long, WrittenChain> writtenChains = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A chain of shared files and what it is made of.
     *
     * @param fullEntries the entries the full snapshot at its start held, to estimate how large a
     *                    full snapshot would be now
     */
    private record WrittenChain(List<SharedStateRef> files, long fullBytes, long fullEntries, long deltaBytes) {
        static final WrittenChain NONE = new WrittenChain(List.of(), 0, 0, 0);
    }

    /**
     * What changed, state by state, in the snapshot of one checkpoint.
     *
     * @param complete false if a state's change list overflowed, so only a full snapshot covers this one
     * @param base     the chain this snapshot built on; {@link WrittenChain#NONE} if it started a
     *                 new one (a full snapshot). Once its checkpoint completes, storage deletes the
     *                 files of every chain it does not refer to.
     */
    private record Epoch(long checkpointId, Map<Table, List<Object>> changes, boolean complete, WrittenChain base) {
        long count() {
            return changes.values().stream().mapToLong(List::size).sum();
        }
    }

    /** Keyed state without incremental checkpoints or shared files: every snapshot is full and self-contained. */
    public HeapKeyedStateBackend(int maxParallelism, KeyGroupRange range, ValueCodec keyCodec) {
        this(maxParallelism, range, keyCodec, null, 0);
    }

    /**
     * @param sharedState where the shared files of incremental checkpoints are written and read
     *                    back, for restoring them whether or not this backend writes them; null
     *                    where there is none (then such checkpoints cannot be restored)
     * @param maxDeltas   0: every checkpoint is a full snapshot; otherwise incremental: a
     *                    checkpoint writes what changed since the one before, and a full snapshot
     *                    again after this many deltas, or sooner when the deltas add up to more
     *                    than the full one
     */
    public HeapKeyedStateBackend(int maxParallelism, KeyGroupRange range, ValueCodec keyCodec, SharedStateStore sharedState,
                                 int maxDeltas) {
        KeyGroupRangeAssignment.checkMaxParallelism(maxParallelism);
        if (range.endKeyGroup() >= maxParallelism) {
            throw new IllegalArgumentException(range + " is outside max parallelism " + maxParallelism);
        }
        if (maxDeltas < 0 || (maxDeltas > 0 && sharedState == null)) {
            throw new IllegalArgumentException("Incremental keyed state needs a shared state store and maxDeltas >= 1, was "
                    + maxDeltas);
        }
        this.maxParallelism = maxParallelism;
        this.range = range;
        this.keyCodec = java.util.Objects.requireNonNull(keyCodec, "keyCodec");
        this.sharedState = sharedState;
        this.maxDeltas = maxDeltas;
    }

    /**
     * Scopes every state to {@code key} until the next call.
     *
     * @throws IllegalArgumentException if keys of this class would not find their state again
     *                                  after a restore, naming the class and the fix
     */
    public void setCurrentKey(Object key) {
        if (key.getClass() != lastCheckedKeyClass) {
            checkKey(key);
        }
        currentKey = key;
    }

    private void checkKey(Object key) {
        Class<?> type = key.getClass();
        if (checkedKeyClasses.add(type)) {
            try {
                KeyHashing.checkKeyType(type);
                keyCodec.checkRoundTrip(key, "key");
            } catch (IllegalArgumentException e) {
                checkedKeyClasses.remove(type);
                throw e;
            }
        }
        lastCheckedKeyClass = type;
    }

    /** The current key, checked to be set: state is only available while a record is processed. */
    private Object key(Table table) {
        if (currentKey == null) {
            throw new IllegalStateException("Keyed state '" + table.descriptor.name() + "' is only available while a record is processed");
        }
        return currentKey;
    }

    private CopyOnWriteStateMap.KeyGroupFunction keyGroupsOf(String stateName) {
        return key -> {
            int keyGroup = KeyGroupRangeAssignment.keyGroupFor(key, maxParallelism);
            if (!range.contains(keyGroup)) {
                throw new IllegalStateException("Key " + key + " of state '" + stateName + "' is in key group " + keyGroup
                        + ", not in this subtask's " + range + ": the record was routed to the wrong subtask");
            }
            return keyGroup;
        };
    }

    @Override
    @SuppressWarnings("unchecked")
    public <S> S state(StateDescriptor<S> descriptor) {
        Table table = tables.get(descriptor.name());
        Kind kind = kindOf(descriptor);
        if (table == null) {
            table = new Table(descriptor, kind, keyGroupsOf(descriptor.name()));
            if (maxDeltas > 0) {
                table.entries.trackChanges();
            }
            table.handle = handle(table);
            tables.put(descriptor.name(), table);
            Restored pending = restored.remove(descriptor.name());
            if (pending != null) {
                load(table, pending);
            }
        } else if (table.kind != kind) {
            throw new IllegalArgumentException("State '" + descriptor.name() + "' is a " + table.kind + " state, not a " + kind + " state");
        }
        return (S) table.handle;
    }

    private static Kind kindOf(StateDescriptor<?> descriptor) {
        if (descriptor instanceof StateDescriptor.Value<?>) {
            return Kind.VALUE;
        }
        if (descriptor instanceof StateDescriptor.List<?>) {
            return Kind.LIST;
        }
        if (descriptor instanceof StateDescriptor.Map<?, ?>) {
            return Kind.MAP;
        }
        return Kind.REDUCING;
    }

    @SuppressWarnings("unchecked")
    private Object handle(Table table) {
        CopyOnWriteStateMap entries = table.entries;
        return switch (table.kind) {
            case VALUE -> new ValueState<Object>() {
                @Override
                public Object value() {
                    return table.read(key(table));
                }

                @Override
                public void update(Object value) {
                    if (value == null) {
                        clear();
                    } else {
                        entries.put(key(table), value);
                    }
                }

                @Override
                public void clear() {
                    entries.remove(key(table));
                }
            };
            case LIST -> new ListState<Object>() {
                @Override
                public List<Object> get() {
                    List<Object> values = (List<Object>) table.read(key(table));
                    return values == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(values));
                }

                @Override
                public void add(Object value) {
                    Object key = key(table);
                    List<Object> values = (List<Object>) entries.getPrivate(key);
                    if (values == null) {
                        values = new ArrayList<>();
                        entries.put(key, values);
                    }
                    values.add(value);
                }

                @Override
                public void update(List<Object> values) {
                    if (values.isEmpty()) {
                        clear();
                    } else {
                        entries.put(key(table), new ArrayList<>(values));
                    }
                }

                @Override
                public void clear() {
                    entries.remove(key(table));
                }
            };
            case MAP -> new MapState<Object, Object>() {
                private Map<Object, Object> read() {
                    Map<Object, Object> map = (Map<Object, Object>) table.read(key(table));
                    return map == null ? Map.of() : map;
                }

                @Override
                public Object get(Object key) {
                    return read().get(key);
                }

                @Override
                public void put(Object key, Object value) {
                    Object current = key(table);
                    Map<Object, Object> map = (Map<Object, Object>) entries.getPrivate(current);
                    if (map == null) {
                        map = new HashMap<>();
                        entries.put(current, map);
                    }
                    map.put(key, value);
                }

                @Override
                public void remove(Object key) {
                    Object current = key(table);
                    Map<Object, Object> map = (Map<Object, Object>) entries.get(current);
                    if (map != null && map.containsKey(key)) {
                        if (map.size() == 1) {
                            entries.remove(current);
                        } else {
                            ((Map<Object, Object>) entries.getPrivate(current)).remove(key);
                        }
                    }
                }

                @Override
                public boolean contains(Object key) {
                    return read().containsKey(key);
                }

                @Override
                public Map<Object, Object> entries() {
                    return Collections.unmodifiableMap(new HashMap<>(read()));
                }

                @Override
                public void clear() {
                    entries.remove(key(table));
                }
            };
            case REDUCING -> new ReducingState<Object>() {
                @Override
                public Object get() {
                    return table.read(key(table));
                }

                @Override
                public void add(Object value) throws Exception {
                    Object key = key(table);
                    Object accumulated = table.read(key);
                    entries.put(key, accumulated == null ? value
                            : ((StateDescriptor.Reducing<Object>) table.descriptor).reducer().reduce(accumulated, value));
                }

                @Override
                public void clear() {
                    entries.remove(key(table));
                }
            };
        };
    }

    private static void load(Table table, Restored pending) {
        if (pending.kind() != table.kind) {
            throw new IllegalArgumentException("State '" + table.descriptor.name() + "' was restored as a " + pending.kind()
                    + " state, but is used as a " + table.kind + " state");
        }
        try {
            for (Map.Entry<Object, byte[]> entry : pending.values().entrySet()) {
                ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(entry.getValue()));
                table.entries.put(entry.getKey(), readValue(in, table.kind, table.descriptor));
            }
        } catch (IOException e) {
            throw new IllegalStateException("Restored state '" + table.descriptor.name() + "' cannot be read with its descriptor: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Takes in a snapshot (of this or another subtask, of this or another parallelism): keeps the
     * entries whose key groups this subtask owns. Values are read when their state is first used.
     *
     * @throws IOException if the snapshot is corrupt or was taken with another max parallelism
     */
    public void restore(byte[] snapshot) throws IOException {
        if (KeyedStateChain.isInline(snapshot)) {
            List<byte[]> files = KeyedStateChain.inlineFiles(snapshot);
            for (int i = 0; i < files.size(); i++) {
                restoreFile(files.get(i), "file " + (i + 1) + " of " + files.size() + " of a keyed state chain");
            }
        } else if (KeyedStateChain.isChain(snapshot)) {
            if (sharedState == null) {
                throw new IOException("Keyed state of an incremental checkpoint refers to shared files, but there is no"
                        + " checkpoint storage to read them from");
            }
            for (SharedStateRef file : KeyedStateChain.files(snapshot)) {
                restoreFile(sharedState.read(file), "shared state file " + file.file());
            }
        } else {
            restoreFile(snapshot, null);
        }
    }

    private void restoreFile(byte[] snapshot, String fileName) throws IOException {
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(snapshot));
        int version = in.readInt();
        boolean delta = version == DELTA_FORMAT_VERSION;
        if (version != FORMAT_VERSION && !delta) {
            throw new IOException((fileName == null ? "" : fileName + ": ") + unsupportedVersion(version));
        }
        int snapshotMaxParallelism = in.readInt();
        if (snapshotMaxParallelism != maxParallelism) {
            throw new IOException("Keyed state was written with max parallelism " + snapshotMaxParallelism
                    + ", the operator now has " + maxParallelism + "; the max parallelism cannot change across a restore");
        }
        for (int states = in.readInt(); states > 0; states--) {
            String name = in.readUTF();
            int kindCode = in.readUnsignedByte();
            if (kindCode >= Kind.values().length) {
                throw new IOException("Unknown kind " + kindCode + " of keyed state '" + name + "'");
            }
            Kind kind = Kind.values()[kindCode];
            Restored target = restored.computeIfAbsent(name, n -> new Restored(kind, new HashMap<>()));
            if (target.kind() != kind) {
                throw new IOException("Keyed state '" + name + "' is " + target.kind() + " in one snapshot and " + kind + " in another");
            }
            for (int keyGroups = in.readInt(); keyGroups > 0; keyGroups--) {
                int keyGroup = in.readInt();
                boolean mine = range.contains(keyGroup);
                ValueCodec.Reader keys = keyCodec.reader(in, "a key of keyed state '" + name + "'");
                for (int count = in.readInt(); count > 0; count--) {
                    Object key = keys.read();
                    if (delta && in.readUnsignedByte() == REMOVE) {
                        if (mine) {
                            target.values().remove(key);
                        }
                        continue;
                    }
                    int start = in.buffer().position();
                    skipValue(in, kind);
                    if (mine) {
                        byte[] value = new byte[in.buffer().position() - start];
                        in.buffer().get(start, value);
                        target.values().put(key, value);
                    }
                }
            }
        }
    }

    private static void skipValue(ByteBufferDataInput in, Kind kind) throws IOException {
        int items = switch (kind) {
            case VALUE, REDUCING -> 1;
            case LIST -> in.readInt();
            case MAP -> 2 * in.readInt();
        };
        for (int i = 0; i < items; i++) {
            int length = in.readInt();
            in.require(length, "a keyed state entry");
            in.skipBytes(length);
        }
    }

    private static String unsupportedVersion(int version) {
        return version >= 1 && version < FORMAT_VERSION
                ? "Keyed state in format " + version + " was written by an older Snapflow, whose keys this one cannot read;"
                + " restore it with the version that wrote it"
                : "Unsupported keyed state format version " + version + " (this Snapflow reads " + FORMAT_VERSION + "): the file"
                + " is damaged or from a newer Snapflow";
    }

    /**
     * The max parallelism a snapshot was written with, read from its header.
     *
     * @throws IOException if the bytes are not a keyed state snapshot of this format
     */
    public static int maxParallelismOf(byte[] snapshot) throws IOException {
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(snapshot));
        int version = in.readInt();
        int maxParallelism;
        if (KeyedStateChain.isChain(snapshot) || KeyedStateChain.isInline(snapshot)) {
            maxParallelism = KeyedStateChain.maxParallelism(snapshot);
        } else if (version == FORMAT_VERSION || version == DELTA_FORMAT_VERSION) {
            maxParallelism = in.readInt();
        } else {
            throw new IOException(unsupportedVersion(version));
        }
        if (maxParallelism < 1 || maxParallelism > KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM) {
            throw new IOException("Keyed state claims max parallelism " + maxParallelism + ": it is damaged");
        }
        return maxParallelism;
    }

    /** True if no state holds any entry. */
    public boolean isEmpty() {
        for (Table table : tables.values()) {
            if (!table.entries.isEmpty()) {
                return false;
            }
        }
        return restored.values().stream().allMatch(pending -> pending.values().isEmpty());
    }

    /** All keyed state, serialized now, in the format described on the class. */
    public byte[] snapshot() throws IOException {
        try {
            return snapshotInTwoPhases().call();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /**
     * A full, self-contained snapshot in two phases. Now, on the subtask's thread: a copy of each
     * state's bucket array (see {@link CopyOnWriteStateMap}). Later, on any thread, once: the
     * bytes, grouped by key group. The live state may change as soon as this returns. What
     * changed since the last checkpoint is left for the next one (a savepoint takes this).
     */
    public Callable<byte[]> snapshotInTwoPhases() {
        List<StateView> views = views(entries -> entries.snapshot(false));
        Map<String, Restored> pending = new LinkedHashMap<>(restored);
        return () -> {
            try {
                return serialize(views, pending);
            } finally {
                release(views);
            }
        };
    }

    /**
     * The snapshot of checkpoint {@code checkpointId}, in two phases as {@link #snapshotInTwoPhases()}.
     * With incremental checkpoints, the later phase writes a shared file (a full snapshot, or what
     * changed since the newest checkpoint heard completed) and returns a {@link KeyedStateChain}.
     */
    public Callable<byte[]> snapshotInTwoPhases(long checkpointId) {
        if (maxDeltas == 0) {
            return snapshotInTwoPhases();
        }
        WrittenChain base = confirmedChain;
        boolean full = needsFullSnapshot(base);
        boolean complete = true;
        for (Table table : tables.values()) {
            complete &= !table.entries.changesOverflowed();
        }
        // A delta needs only the changes: no bucket array to copy.
        List<StateView> views = views(full ? entries -> entries.snapshot(true) : CopyOnWriteStateMap::snapshotChanges);
        Map<Table, List<Object>> changes = new java.util.IdentityHashMap<>();
        views.forEach(view -> changes.put(view.table(), view.entries().changes()));
        unconfirmed.addLast(new Epoch(checkpointId, changes, complete, full ? WrittenChain.NONE : base));
        if (full) {
            Map<String, Restored> pending = new LinkedHashMap<>(restored);
            return () -> {
                try {
                    byte[] bytes = serialize(views, pending);
                    WrittenChain chain = new WrittenChain(List.of(sharedState.write(checkpointId, bytes)), bytes.length,
                            entries(views), 0);
                    writtenChains.put(checkpointId, chain);
                    return KeyedStateChain.encode(maxParallelism, chain.files());
                } finally {
                    release(views);
                }
            };
        }
        // Every change since the base, in order: a checkpoint after it may have failed.
        Map<Table, List<List<Object>>> sinceBase = new java.util.IdentityHashMap<>();
        for (Epoch epoch : unconfirmed) {
            epoch.changes().forEach((table, list) -> sinceBase.computeIfAbsent(table, t -> new ArrayList<>()).add(list));
        }
        return () -> {
            try {
                byte[] delta = serializeChanges(sinceBase);
                List<SharedStateRef> files = new ArrayList<>(base.files());
                files.add(sharedState.write(checkpointId, delta));
                WrittenChain chain = new WrittenChain(List.copyOf(files), base.fullBytes(), base.fullEntries(),
                        base.deltaBytes() + delta.length);
                writtenChains.put(checkpointId, chain);
                return KeyedStateChain.encode(maxParallelism, chain.files());
            } finally {
                release(views);
            }
        };
    }

    /**
     * A full snapshot starts every chain, follows a restore (whose state may come from several
     * chains), is taken while a snapshot built on another base is still in progress (a
     * notification that lags a checkpoint behind), and bounds a chain: its length, and its bytes at twice what a full snapshot would
     * take now (estimated from the entries the last one held and its bytes), which bound what a
     * restore reads; so do changes piling up while checkpoints fail. Growing state (keys being
     * added) therefore does not force full snapshots.
     */
    private boolean needsFullSnapshot(WrittenChain base) {
        if (base.files().isEmpty() || base.files().size() > maxDeltas) {
            return true;
        }
        long entries = 0;
        for (Table table : tables.values()) {
            entries += table.entries.size();
        }
        double bytesPerEntry = (double) base.fullBytes() / Math.max(1, base.fullEntries());
        double fullNow = Math.max(base.fullBytes(), bytesPerEntry * entries);
        if (base.fullBytes() + base.deltaBytes() > 2 * fullNow) {
            return true;
        }
        long changes = 0;
        for (Epoch epoch : unconfirmed) {
            // A snapshot still in progress that does not build on this base (a full one, or one on an
            // older base): if its checkpoint completes first, storage deletes files this base needs.
            if (!epoch.complete() || epoch.base() != base) {
                return true;
            }
            changes += epoch.count();
        }
        for (Table table : tables.values()) {
            if (table.entries.changesOverflowed()) {
                return true;
            }
        }
        return changes > entries;
    }

    private static long entries(List<StateView> views) {
        long entries = 0;
        for (StateView view : views) {
            entries += view.entries().size();
        }
        return entries;
    }

    /**
     * True if checkpoints of this backend refer to shared files, so it takes part in every
     * checkpoint even when its state is empty: a checkpoint without its part would let storage
     * delete the files a later delta builds on.
     */
    public boolean hasChain() {
        return maxDeltas > 0 && (!confirmedChain.files().isEmpty() || !unconfirmed.isEmpty());
    }

    /**
     * Checkpoint {@code checkpointId} completed: its chain is the base of the next delta, and the
     * changes it covers are no longer needed.
     */
    public void notifyCheckpointComplete(long checkpointId) {
        WrittenChain chain = writtenChains.get(checkpointId);
        if (chain == null) {
            // A checkpoint without this backend's chain (a savepoint, or one taken while the state was
            // empty and had no chain): once it subsumes the one that had it, storage deletes the
            // files of that chain, so the next snapshot must not build on them.
            chain = WrittenChain.NONE;
        }
        confirmedChain = chain;
        writtenChains.keySet().removeIf(id -> id <= checkpointId);
        while (!unconfirmed.isEmpty() && unconfirmed.peekFirst().checkpointId() <= checkpointId) {
            unconfirmed.removeFirst();
        }
    }

    private List<StateView> views(java.util.function.Function<CopyOnWriteStateMap, CopyOnWriteStateMap.Snapshot> take) {
        List<StateView> views = new ArrayList<>(tables.size());
        for (Table table : tables.values()) {
            table.entries.forgetReleasedSnapshots();
            views.add(new StateView(table, take.apply(table.entries)));
        }
        return views;
    }

    private static void release(List<StateView> views) {
        views.forEach(view -> view.entries().release());
    }

    /** One state as a snapshot saw it. */
    private record StateView(Table table, CopyOnWriteStateMap.Snapshot entries) {
    }

    private byte[] serialize(List<StateView> views, Map<String, Restored> pending) throws IOException {
        int estimate = lastSnapshotBytes;
        ByteArrayDataOutput out = new ByteArrayDataOutput(estimate + estimate / 8);
        out.writeInt(FORMAT_VERSION);
        out.writeInt(maxParallelism);
        out.writeInt(views.size() + pending.size());
        int perKeyGroup = estimate / Math.max(1, views.size() + pending.size()) / range.numberOfKeyGroups();
        for (StateView view : views) {
            Table table = view.table();
            String name = table.descriptor.name();
            out.writeUTF(name);
            out.writeByte(table.kind.ordinal());
            KeyGroupWriter writer = new KeyGroupWriter(name, perKeyGroup);
            for (CopyOnWriteStateMap.Entry head : view.entries().buckets()) {
                for (CopyOnWriteStateMap.Entry e = head; e != null; e = e.next()) {
                    writeValue(writer.startEntry(e.keyGroup(), e.key()), table, e.value());
                }
            }
            writer.writeTo(out);
        }
        for (Map.Entry<String, Restored> state : pending.entrySet()) {
            out.writeUTF(state.getKey());
            out.writeByte(state.getValue().kind().ordinal());
            KeyGroupWriter writer = new KeyGroupWriter(state.getKey(), perKeyGroup);
            for (Map.Entry<Object, byte[]> entry : state.getValue().values().entrySet()) {
                writer.startEntry(KeyGroupRangeAssignment.keyGroupFor(entry.getKey(), maxParallelism), entry.getKey())
                        .write(entry.getValue());
            }
            writer.writeTo(out);
        }
        lastSnapshotBytes = out.position();
        return out.toByteArray();
    }

    /**
     * What changed, state by state: per key group in the order it happened, each key with a flag,
     * then for a key put its value as it was at the snapshot, for a key removed nothing. Read back
     * by {@link #restore(byte[])} on top of the snapshots before it.
     */
    private byte[] serializeChanges(Map<Table, List<List<Object>>> changes) throws IOException {
        long count = 0;
        for (List<List<Object>> lists : changes.values()) {
            for (List<Object> list : lists) {
                count += list.size();
            }
        }
        ByteArrayDataOutput out = new ByteArrayDataOutput((int) Math.min(1 << 30, 64 + count * 24));
        out.writeInt(DELTA_FORMAT_VERSION);
        out.writeInt(maxParallelism);
        out.writeInt(changes.size());
        int perKeyGroup = (int) Math.min(1 << 20, count * 24 / Math.max(1, changes.size()) / range.numberOfKeyGroups());
        for (Map.Entry<Table, List<List<Object>>> state : changes.entrySet()) {
            Table table = state.getKey();
            out.writeUTF(table.descriptor.name());
            out.writeByte(table.kind.ordinal());
            KeyGroupWriter writer = new KeyGroupWriter(table.descriptor.name(), perKeyGroup);
            for (List<Object> list : state.getValue()) {
                for (Object change : list) {
                    if (change instanceof CopyOnWriteStateMap.Entry entry) {
                        ByteArrayDataOutput target = writer.startEntry(entry.keyGroup(), entry.key());
                        target.writeByte(PUT);
                        writeValue(target, table, entry.value());
                    } else {
                        CopyOnWriteStateMap.Removal removal = (CopyOnWriteStateMap.Removal) change;
                        writer.startEntry(removal.keyGroup(), removal.key()).writeByte(REMOVE);
                    }
                }
            }
            writer.writeTo(out);
        }
        return out.toByteArray();
    }

    /**
     * Groups one state's entries by key group as they come, in the order the map holds them: one
     * buffer per key group of the range, each with its own key stream, so the entries are read in
     * memory order and written once, then the buffers are appended in key group order.
     */
    private final class KeyGroupWriter {
        private final String stateName;
        private final int initialBytes;
        private final ByteArrayDataOutput[] buffers = new ByteArrayDataOutput[range.numberOfKeyGroups()];
        private final ValueCodec.Writer[] keyWriters = new ValueCodec.Writer[buffers.length];
        private final int[] counts = new int[buffers.length];

        KeyGroupWriter(String stateName, int initialBytes) {
            this.stateName = stateName;
            this.initialBytes = Math.max(64, initialBytes + initialBytes / 8);
        }

        /** Writes the key into its key group's buffer and returns the buffer, for the value. */
        ByteArrayDataOutput startEntry(int keyGroup, Object key) throws IOException {
            int index = keyGroup - range.startKeyGroup();
            ByteArrayDataOutput buffer = buffers[index];
            if (buffer == null) {
                buffer = buffers[index] = new ByteArrayDataOutput(initialBytes);
                keyWriters[index] = keyCodec.writer(buffer);
            }
            try {
                keyWriters[index].write(key);
            } catch (IOException e) {
                throw new IOException("Key " + key + " of state '" + stateName + "' cannot be written: " + e.getMessage(), e);
            }
            counts[index]++;
            return buffer;
        }

        void writeTo(ByteArrayDataOutput out) throws IOException {
            int nonEmpty = 0;
            for (int count : counts) {
                nonEmpty += count > 0 ? 1 : 0;
            }
            out.writeInt(nonEmpty);
            for (int index = 0; index < buffers.length; index++) {
                if (counts[index] > 0) {
                    out.writeInt(range.startKeyGroup() + index);
                    out.writeInt(counts[index]);
                    buffers[index].writeTo(out);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void writeValue(ByteArrayDataOutput out, Table table, Object value) throws IOException {
        switch (table.kind) {
            case VALUE -> writeFramed(out, ((StateDescriptor.Value<Object>) table.descriptor).serializer(), value);
            case REDUCING -> writeFramed(out, ((StateDescriptor.Reducing<Object>) table.descriptor).serializer(), value);
            case LIST -> {
                List<Object> values = (List<Object>) value;
                out.writeInt(values.size());
                for (Object element : values) {
                    writeFramed(out, ((StateDescriptor.List<Object>) table.descriptor).serializer(), element);
                }
            }
            case MAP -> {
                Map<Object, Object> map = (Map<Object, Object>) value;
                StateDescriptor.Map<Object, Object> descriptor = (StateDescriptor.Map<Object, Object>) table.descriptor;
                out.writeInt(map.size());
                for (Map.Entry<Object, Object> entry : map.entrySet()) {
                    writeFramed(out, descriptor.keySerializer(), entry.getKey());
                    writeFramed(out, descriptor.valueSerializer(), entry.getValue());
                }
            }
        }
    }

    private static final RecordSerializer<?> LONGS = RecordSerializers.longs();
    private static final RecordSerializer<?> INTS = RecordSerializers.ints();
    private static final RecordSerializer<?> DOUBLES = RecordSerializers.doubles();

    /**
     * Writes a 4-byte length slot, serializes in place, then fills the slot: no copy per entry.
     * Numbers of the built-in serializers, the most common state, are written directly, in the
     * same bytes, without a call through the serializer or a patched slot.
     */
    private static void writeFramed(ByteArrayDataOutput out, RecordSerializer<Object> serializer, Object value)
            throws IOException {
        if (serializer == LONGS) {
            out.writeInt(Long.BYTES);
            out.writeLong((Long) value);
            return;
        }
        if (serializer == INTS) {
            out.writeInt(Integer.BYTES);
            out.writeInt((Integer) value);
            return;
        }
        if (serializer == DOUBLES) {
            out.writeInt(Double.BYTES);
            out.writeDouble((Double) value);
            return;
        }
        int slot = out.position();
        out.writeInt(0);
        serializer.serialize(value, out);
        out.writeIntAt(slot, out.position() - slot - 4);
    }

    /**
     * Reads a snapshot back as plain maps, state name → key → value, deserializing values with
     * the given descriptors (by state name). For restore and for checking what a checkpoint holds.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Map<Object, Object>> read(byte[] snapshot, Map<String, StateDescriptor<?>> descriptors,
                                                         ValueCodec keyCodec) throws IOException {
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(snapshot));
        int version = in.readInt();
        if (version != FORMAT_VERSION) {
            throw new IOException(unsupportedVersion(version));
        }
        in.readInt(); // max parallelism: needed to rescale, not to read
        Map<String, Map<Object, Object>> result = new LinkedHashMap<>();
        for (int states = in.readInt(); states > 0; states--) {
            String name = in.readUTF();
            Kind kind = Kind.values()[in.readUnsignedByte()];
            StateDescriptor<?> descriptor = descriptors.get(name);
            if (descriptor == null || kindOf(descriptor) != kind) {
                throw new IOException("No " + kind + " descriptor given for state '" + name + "'");
            }
            Map<Object, Object> entries = new HashMap<>();
            for (int keyGroups = in.readInt(); keyGroups > 0; keyGroups--) {
                in.readInt();
                ValueCodec.Reader keys = keyCodec.reader(in, "a key of keyed state '" + name + "'");
                for (int count = in.readInt(); count > 0; count--) {
                    Object key = keys.read();
                    entries.put(key, readValue(in, kind, descriptor));
                }
            }
            result.put(name, entries);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Object readValue(ByteBufferDataInput in, Kind kind, StateDescriptor<?> descriptor) throws IOException {
        return switch (kind) {
            case VALUE -> readFramed(in, ((StateDescriptor.Value<Object>) descriptor).serializer());
            case REDUCING -> readFramed(in, ((StateDescriptor.Reducing<Object>) descriptor).serializer());
            case LIST -> {
                List<Object> values = new ArrayList<>();
                for (int count = in.readInt(); count > 0; count--) {
                    values.add(readFramed(in, ((StateDescriptor.List<Object>) descriptor).serializer()));
                }
                yield values;
            }
            case MAP -> {
                StateDescriptor.Map<Object, Object> map = (StateDescriptor.Map<Object, Object>) descriptor;
                Map<Object, Object> values = new HashMap<>();
                for (int count = in.readInt(); count > 0; count--) {
                    values.put(readFramed(in, map.keySerializer()), readFramed(in, map.valueSerializer()));
                }
                yield values;
            }
        };
    }

    private static Object readFramed(ByteBufferDataInput in, RecordSerializer<Object> serializer) throws IOException {
        int length = in.readInt();
        in.require(length, "a keyed state entry");
        ByteBuffer buffer = in.buffer();
        int end = buffer.position() + length;
        int limit = buffer.limit();
        buffer.limit(end);
        try {
            return serializer.deserialize(in);
        } finally {
            buffer.limit(limit);
            buffer.position(end);
        }
    }
}
