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
 * Keyed state on the heap: for each registered state, one hash map from key to value. Key groups
 * matter only when state leaves the subtask, so they are computed at snapshot time, not per
 * record: one map keeps keys that arrive in order close together in memory, which measured three
 * to five times faster per access than one map per key group. Snapshots group the entries by key
 * group and serialize them, so a snapshot is a consistent copy the subtask can write while it
 * goes on changing the live maps, and can be restored into any subtask that owns a range of those
 * key groups. A key outside this subtask's range (a routing bug) fails the snapshot.
 *
 * <p>Keys may be of any type {@code keyBy} accepts: each key is written with its type by a
 * {@link ValueCodec}, so it reads back equal, with the same hash, whatever the first key of the
 * snapshot was. The first key of each class a subtask sees is checked to do so
 * ({@link #setCurrentKey}), so that a key type that would lose its state on restore fails at once.
 *
 * <p>Snapshot format (big-endian): format version; max parallelism; the number of states; per
 * state its name, kind and the number of non-empty key groups; per key group its number and entry
 * count; per entry the key (a {@link ValueCodec} value; the key group's keys are one codec stream)
 * and the value, length-prefixed. Actor-confined to one subtask.
 */
public final class HeapKeyedStateBackend implements KeyedStateStore {

    private static final int FORMAT_VERSION = 2;

    private enum Kind { VALUE, LIST, MAP, REDUCING }

    /** One registered state: its descriptor and its entries, key to value. */
    private static final class Table {
        final StateDescriptor<?> descriptor;
        final Kind kind;
        final HashMap<Object, Object> entries;
        Object handle;

        Table(StateDescriptor<?> descriptor, Kind kind) {
            this(descriptor, kind, new HashMap<>());
        }

        private Table(StateDescriptor<?> descriptor, Kind kind, HashMap<Object, Object> entries) {
            this.descriptor = descriptor;
            this.kind = kind;
            this.entries = entries;
        }

        /** True if the values are immutable, so a copy of the containers is a consistent snapshot. */
        boolean isCopyable() {
            return switch (kind) {
                case VALUE -> ((StateDescriptor.Value<?>) descriptor).serializer().isImmutableType();
                case REDUCING -> ((StateDescriptor.Reducing<?>) descriptor).serializer().isImmutableType();
                case LIST -> ((StateDescriptor.List<?>) descriptor).serializer().isImmutableType();
                case MAP -> ((StateDescriptor.Map<?, ?>) descriptor).keySerializer().isImmutableType()
                        && ((StateDescriptor.Map<?, ?>) descriptor).valueSerializer().isImmutableType();
            };
        }

        /** A copy of the entries and of every list or map in them; the values themselves are shared. */
        @SuppressWarnings("unchecked")
        Table copy() {
            HashMap<Object, Object> copied = new HashMap<>(entries);
            if (kind == Kind.LIST) {
                copied.replaceAll((key, values) -> new ArrayList<>((List<Object>) values));
            } else if (kind == Kind.MAP) {
                copied.replaceAll((key, map) -> new HashMap<>((Map<Object, Object>) map));
            }
            return new Table(descriptor, kind, copied);
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
    private final boolean copyOnSnapshot;
    /**
     * Restored state not yet registered: by state name, its kind and each key with its value
     * still as bytes, because only the descriptor, given when the state is first used, can read it.
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

    public HeapKeyedStateBackend(int maxParallelism, KeyGroupRange range, ValueCodec keyCodec) {
        this(maxParallelism, range, keyCodec, false);
    }

    /**
     * @param keyCodec       writes and reads the keys
     * @param copyOnSnapshot whether {@link #snapshotInTwoPhases()} copies the maps and serializes
     *                       later (when the values are immutable), or serializes at once
     */
    public HeapKeyedStateBackend(int maxParallelism, KeyGroupRange range, ValueCodec keyCodec, boolean copyOnSnapshot) {
        KeyGroupRangeAssignment.checkMaxParallelism(maxParallelism);
        if (range.endKeyGroup() >= maxParallelism) {
            throw new IllegalArgumentException(range + " is outside max parallelism " + maxParallelism);
        }
        this.maxParallelism = maxParallelism;
        this.range = range;
        this.keyCodec = java.util.Objects.requireNonNull(keyCodec, "keyCodec");
        this.copyOnSnapshot = copyOnSnapshot;
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

    private HashMap<Object, Object> currentTable(Table table) {
        if (currentKey == null) {
            throw new IllegalStateException("Keyed state '" + table.descriptor.name() + "' is only available while a record is processed");
        }
        return table.entries;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <S> S state(StateDescriptor<S> descriptor) {
        Table table = tables.get(descriptor.name());
        Kind kind = kindOf(descriptor);
        if (table == null) {
            table = new Table(descriptor, kind);
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
        return switch (table.kind) {
            case VALUE -> new ValueState<Object>() {
                @Override
                public Object value() {
                    return currentTable(table).get(currentKey);
                }

                @Override
                public void update(Object value) {
                    if (value == null) {
                        clear();
                    } else {
                        currentTable(table).put(currentKey, value);
                    }
                }

                @Override
                public void clear() {
                    currentTable(table).remove(currentKey);
                }
            };
            case LIST -> new ListState<Object>() {
                @Override
                public List<Object> get() {
                    List<Object> values = (List<Object>) currentTable(table).get(currentKey);
                    return values == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(values));
                }

                @Override
                public void add(Object value) {
                    ((List<Object>) currentTable(table).computeIfAbsent(currentKey, k -> new ArrayList<>())).add(value);
                }

                @Override
                public void update(List<Object> values) {
                    if (values.isEmpty()) {
                        clear();
                    } else {
                        currentTable(table).put(currentKey, new ArrayList<>(values));
                    }
                }

                @Override
                public void clear() {
                    currentTable(table).remove(currentKey);
                }
            };
            case MAP -> new MapState<Object, Object>() {
                private Map<Object, Object> map(boolean create) {
                    HashMap<Object, Object> current = currentTable(table);
                    return create ? (Map<Object, Object>) current.computeIfAbsent(currentKey, k -> new HashMap<>())
                            : (Map<Object, Object>) current.getOrDefault(currentKey, Map.of());
                }

                @Override
                public Object get(Object key) {
                    return map(false).get(key);
                }

                @Override
                public void put(Object key, Object value) {
                    map(true).put(key, value);
                }

                @Override
                public void remove(Object key) {
                    Map<Object, Object> map = map(false);
                    if (!map.isEmpty()) {
                        map.remove(key);
                        if (map.isEmpty()) {
                            clear();
                        }
                    }
                }

                @Override
                public boolean contains(Object key) {
                    return map(false).containsKey(key);
                }

                @Override
                public Map<Object, Object> entries() {
                    return Collections.unmodifiableMap(new HashMap<>(map(false)));
                }

                @Override
                public void clear() {
                    currentTable(table).remove(currentKey);
                }
            };
            case REDUCING -> new ReducingState<Object>() {
                @Override
                public Object get() {
                    return currentTable(table).get(currentKey);
                }

                @Override
                public void add(Object value) throws Exception {
                    HashMap<Object, Object> current = currentTable(table);
                    Object accumulated = current.get(currentKey);
                    current.put(currentKey, accumulated == null ? value
                            : ((StateDescriptor.Reducing<Object>) table.descriptor).reducer().reduce(accumulated, value));
                }

                @Override
                public void clear() {
                    currentTable(table).remove(currentKey);
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
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(snapshot));
        int version = in.readInt();
        if (version != FORMAT_VERSION) {
            throw new IOException(unsupportedVersion(version));
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
        if (version != FORMAT_VERSION) {
            throw new IOException(unsupportedVersion(version));
        }
        int maxParallelism = in.readInt();
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
        return serialize(List.copyOf(tables.values()), copyOfRestored());
    }

    /** Restored states nobody used yet still belong to the subtask: they go into every snapshot as they are. */
    private Map<String, Restored> copyOfRestored() {
        Map<String, Restored> copy = new LinkedHashMap<>();
        restored.forEach((name, pending) -> copy.put(name, new Restored(pending.kind(), new HashMap<>(pending.values()))));
        return copy;
    }

    /**
     * A snapshot in two phases. Now, on the subtask's thread: with copy-on-snapshot and every
     * state holding immutable values (by its serializers), a copy of the maps and of the lists and
     * maps in them; otherwise the serialized bytes themselves. Later, on any thread: the bytes.
     * The live state may change as soon as this returns.
     */
    public Callable<byte[]> snapshotInTwoPhases() throws IOException {
        if (copyOnSnapshot && tables.values().stream().allMatch(Table::isCopyable)) {
            List<Table> copies = new ArrayList<>(tables.size());
            for (Table table : tables.values()) {
                copies.add(table.copy());
            }
            Map<String, Restored> pending = copyOfRestored();
            return () -> serialize(copies, pending);
        }
        byte[] bytes = snapshot();
        return () -> bytes;
    }

    private byte[] serialize(List<Table> tables, Map<String, Restored> pending) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(lastSnapshotBytes + lastSnapshotBytes / 8);
        out.writeInt(FORMAT_VERSION);
        out.writeInt(maxParallelism);
        out.writeInt(tables.size() + pending.size());
        for (Table table : tables) {
            out.writeUTF(table.descriptor.name());
            out.writeByte(table.kind.ordinal());
            writeByKeyGroup(out, table.descriptor.name(), table.entries,
                    (value, target) -> writeValue(target, table, value));
        }
        for (Map.Entry<String, Restored> state : pending.entrySet()) {
            out.writeUTF(state.getKey());
            out.writeByte(state.getValue().kind().ordinal());
            writeByKeyGroup(out, state.getKey(), state.getValue().values(),
                    (value, target) -> target.write((byte[]) value));
        }
        lastSnapshotBytes = out.position();
        return out.toByteArray();
    }

    /**
     * Writes a table's entries grouped by key group, ascending: a counting sort over the key
     * groups, with primitive arrays, so that the snapshot costs one pass to group and one to write.
     */
    @FunctionalInterface
    private interface ValueWriter {
        void write(Object value, ByteArrayDataOutput out) throws IOException;
    }

    private void writeByKeyGroup(ByteArrayDataOutput out, String stateName, Map<?, ?> entries,
                                 ValueWriter valueWriter) throws IOException {
        int size = entries.size();
        Object[] keys = new Object[size];
        Object[] values = new Object[size];
        int[] keyGroups = new int[size];
        int[] counts = new int[maxParallelism];
        int i = 0;
        for (Map.Entry<?, ?> entry : entries.entrySet()) {
            int keyGroup = KeyGroupRangeAssignment.keyGroupFor(entry.getKey(), maxParallelism);
            if (!range.contains(keyGroup)) {
                throw new IllegalStateException("Key " + entry.getKey() + " of state '" + stateName
                        + "' is in key group " + keyGroup + ", not in this subtask's " + range);
            }
            keys[i] = entry.getKey();
            values[i] = entry.getValue();
            keyGroups[i] = keyGroup;
            counts[keyGroup]++;
            i++;
        }
        int[] starts = new int[maxParallelism];
        int nonEmpty = 0;
        for (int keyGroup = 0, start = 0; keyGroup < maxParallelism; keyGroup++) {
            starts[keyGroup] = start;
            start += counts[keyGroup];
            nonEmpty += counts[keyGroup] > 0 ? 1 : 0;
        }
        int[] order = new int[size];
        int[] next = starts.clone();
        for (int entry = 0; entry < size; entry++) {
            order[next[keyGroups[entry]]++] = entry;
        }
        out.writeInt(nonEmpty);
        for (int keyGroup = 0; keyGroup < maxParallelism; keyGroup++) {
            if (counts[keyGroup] == 0) {
                continue;
            }
            out.writeInt(keyGroup);
            out.writeInt(counts[keyGroup]);
            ValueCodec.Writer keyWriter = keyCodec.writer(out);
            for (int position = starts[keyGroup]; position < starts[keyGroup] + counts[keyGroup]; position++) {
                int entry = order[position];
                try {
                    keyWriter.write(keys[entry]);
                } catch (IOException e) {
                    throw new IOException("Key " + keys[entry] + " of state '" + stateName + "' cannot be written: " + e.getMessage(), e);
                }
                valueWriter.write(values[entry], out);
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

    /** Writes a 4-byte length slot, serializes in place, then fills the slot: no copy per entry. */
    private static void writeFramed(ByteArrayDataOutput out, RecordSerializer<Object> serializer, Object value)
            throws IOException {
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
