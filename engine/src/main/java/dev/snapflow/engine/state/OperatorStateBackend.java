package dev.snapflow.engine.state;

import dev.snapflow.engine.api.ListState;
import dev.snapflow.engine.api.OperatorStateStore;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.RecordSerializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Operator list state on the heap, and how it is redistributed when the parallelism changes:
 * even-split lists are concatenated in subtask order and cut into near-equal contiguous parts;
 * union lists go whole to every subtask.
 *
 * <p>Snapshot format (big-endian): format version; the number of states; per state its name, its
 * redistribution mode and its elements, each length-prefixed. Redistribution works on these bytes
 * without knowing the element types. Actor-confined to one subtask.
 */
public final class OperatorStateBackend implements OperatorStateStore {

    private static final int FORMAT_VERSION = 1;

    /** How a list is redistributed on a rescaling restore. */
    public enum Redistribution { EVEN_SPLIT, UNION }

    private static final class Entry {
        final StateDescriptor.List<?> descriptor;
        final Redistribution mode;
        final ArrayList<Object> values = new ArrayList<>();
        ListState<Object> handle;

        Entry(StateDescriptor.List<?> descriptor, Redistribution mode) {
            this.descriptor = descriptor;
            this.mode = mode;
        }
    }

    private final Map<String, Entry> states = new LinkedHashMap<>();
    /** Restored lists not yet registered, their elements still as bytes, by state name. */
    private final Map<String, RawState> restored = new LinkedHashMap<>();

    @Override
    public <T> ListState<T> listState(StateDescriptor.List<T> descriptor) {
        return register(descriptor, Redistribution.EVEN_SPLIT);
    }

    @Override
    public <T> ListState<T> unionListState(StateDescriptor.List<T> descriptor) {
        return register(descriptor, Redistribution.UNION);
    }

    @SuppressWarnings("unchecked")
    private <T> ListState<T> register(StateDescriptor.List<T> descriptor, Redistribution mode) {
        Entry entry = states.get(descriptor.name());
        if (entry == null) {
            entry = new Entry(descriptor, mode);
            entry.handle = handle(entry);
            states.put(descriptor.name(), entry);
            RawState pending = restored.remove(descriptor.name());
            if (pending != null) {
                load(entry, pending);
            }
        } else if (entry.mode != mode) {
            throw new IllegalArgumentException("Operator state '" + descriptor.name() + "' is a " + entry.mode
                    + " list, not a " + mode + " list");
        }
        return (ListState<T>) entry.handle;
    }

    private static ListState<Object> handle(Entry entry) {
        return new ListState<>() {
            @Override
            public List<Object> get() {
                return Collections.unmodifiableList(new ArrayList<>(entry.values));
            }

            @Override
            public void add(Object value) {
                entry.values.add(java.util.Objects.requireNonNull(value, "operator state elements must not be null"));
            }

            @Override
            public void update(List<Object> values) {
                entry.values.clear();
                values.forEach(this::add);
            }

            @Override
            public void clear() {
                entry.values.clear();
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static void load(Entry entry, RawState pending) {
        if (pending.mode() != entry.mode) {
            throw new IllegalArgumentException("Operator state '" + entry.descriptor.name() + "' was restored as a "
                    + pending.mode() + " list, but is used as a " + entry.mode + " list");
        }
        RecordSerializer<Object> serializer = ((StateDescriptor.List<Object>) entry.descriptor).serializer();
        try {
            for (byte[] element : pending.elements()) {
                entry.values.add(serializer.deserialize(new ByteBufferDataInput(ByteBuffer.wrap(element))));
            }
        } catch (IOException e) {
            throw new IllegalStateException("Restored operator state '" + entry.descriptor.name()
                    + "' cannot be read with its descriptor: " + e.getMessage(), e);
        }
    }

    /** Takes in this subtask's share of a snapshot (see {@link #redistribute}); read when first used. */
    public void restore(byte[] snapshot) throws IOException {
        for (RawState state : parse(snapshot)) {
            restored.put(state.name(), state);
        }
    }

    public boolean isEmpty() {
        return states.values().stream().allMatch(entry -> entry.values.isEmpty())
                && restored.values().stream().allMatch(state -> state.elements().isEmpty());
    }

    @SuppressWarnings("unchecked")
    public byte[] snapshot() throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(256);
        out.writeInt(FORMAT_VERSION);
        out.writeInt(states.size() + restored.size());
        for (RawState pending : restored.values()) {
            // Restored lists nobody used yet still belong to the subtask.
            out.writeUTF(pending.name());
            out.writeByte(pending.mode().ordinal());
            out.writeInt(pending.elements().size());
            for (byte[] element : pending.elements()) {
                out.writeInt(element.length);
                out.write(element);
            }
        }
        for (Entry entry : states.values()) {
            out.writeUTF(entry.descriptor.name());
            out.writeByte(entry.mode.ordinal());
            out.writeInt(entry.values.size());
            RecordSerializer<Object> serializer = ((StateDescriptor.List<Object>) entry.descriptor).serializer();
            for (Object value : entry.values) {
                int slot = out.position();
                out.writeInt(0);
                serializer.serialize(value, out);
                out.writeIntAt(slot, out.position() - slot - 4);
            }
        }
        return out.toByteArray();
    }

    /** One state of a snapshot with its elements still as bytes. */
    private record RawState(String name, Redistribution mode, List<byte[]> elements) {
    }

    private static List<RawState> parse(byte[] snapshot) throws IOException {
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(snapshot));
        int version = in.readInt();
        if (version != FORMAT_VERSION) {
            throw new IOException("Unsupported operator state format version " + version);
        }
        List<RawState> states = new ArrayList<>();
        for (int count = in.readInt(); count > 0; count--) {
            String name = in.readUTF();
            int mode = in.readUnsignedByte();
            if (mode >= Redistribution.values().length) {
                throw new IOException("Unknown redistribution mode " + mode + " of operator state '" + name + "'");
            }
            List<byte[]> elements = new ArrayList<>();
            for (int n = in.readInt(); n > 0; n--) {
                elements.add(in.readByteArray(in.readInt(), "an element of operator state '" + name + "'"));
            }
            states.add(new RawState(name, Redistribution.values()[mode], elements));
        }
        return states;
    }

    private static byte[] encode(List<RawState> states) {
        ByteArrayDataOutput out = new ByteArrayDataOutput(256);
        out.writeInt(FORMAT_VERSION);
        out.writeInt(states.size());
        for (RawState state : states) {
            try {
                out.writeUTF(state.name());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            out.writeByte(state.mode().ordinal());
            out.writeInt(state.elements().size());
            for (byte[] element : state.elements()) {
                out.writeInt(element.length);
                out.write(element);
            }
        }
        return out.toByteArray();
    }

    /**
     * The snapshots for {@code newParallelism} subtasks made from those of the old subtasks (in
     * subtask order; a subtask without operator state contributes nothing).
     */
    public static List<byte[]> redistribute(List<byte[]> oldSnapshots, int newParallelism) throws IOException {
        if (newParallelism < 1) {
            throw new IllegalArgumentException("newParallelism must be >= 1, was " + newParallelism);
        }
        Map<String, Redistribution> modes = new LinkedHashMap<>();
        Map<String, List<byte[]>> elements = new LinkedHashMap<>();
        for (byte[] snapshot : oldSnapshots) {
            for (RawState state : parse(snapshot)) {
                Redistribution known = modes.putIfAbsent(state.name(), state.mode());
                if (known != null && known != state.mode()) {
                    throw new IOException("Operator state '" + state.name() + "' is " + known + " in one subtask and "
                            + state.mode() + " in another");
                }
                elements.computeIfAbsent(state.name(), name -> new ArrayList<>()).addAll(state.elements());
            }
        }
        List<byte[]> result = new ArrayList<>();
        for (int subtask = 0; subtask < newParallelism; subtask++) {
            List<RawState> states = new ArrayList<>();
            for (Map.Entry<String, List<byte[]>> entry : elements.entrySet()) {
                List<byte[]> all = entry.getValue();
                Redistribution mode = modes.get(entry.getKey());
                List<byte[]> share = mode == Redistribution.UNION ? all
                        : all.subList(all.size() * subtask / newParallelism, all.size() * (subtask + 1) / newParallelism);
                states.add(new RawState(entry.getKey(), mode, share));
            }
            result.add(encode(states));
        }
        return result;
    }

    /** Reads a snapshot back as lists by state name, deserializing with the given descriptors. */
    @SuppressWarnings("unchecked")
    public static Map<String, List<Object>> read(byte[] snapshot, Map<String, StateDescriptor.List<?>> descriptors)
            throws IOException {
        Map<String, List<Object>> result = new LinkedHashMap<>();
        for (RawState state : parse(snapshot)) {
            StateDescriptor.List<Object> descriptor = (StateDescriptor.List<Object>) descriptors.get(state.name());
            if (descriptor == null) {
                throw new IOException("No descriptor given for operator state '" + state.name() + "'");
            }
            List<Object> values = new ArrayList<>();
            for (byte[] element : state.elements()) {
                ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(element));
                values.add(descriptor.serializer().deserialize(in));
                if (in.remaining() != 0) {
                    throw new IOException("An element of operator state '" + state.name() + "' has "
                            + in.remaining() + " unread bytes");
                }
            }
            result.put(state.name(), values);
        }
        return result;
    }
}
