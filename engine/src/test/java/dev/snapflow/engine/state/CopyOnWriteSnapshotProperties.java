package dev.snapflow.engine.state;

import dev.snapflow.engine.api.ListState;
import dev.snapflow.engine.api.MapState;
import dev.snapflow.engine.api.ReducingState;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.record.ValueCodec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A snapshot holds the keyed state as it was when it was taken, however records change, add and
 * remove entries (of every state kind, of immutable and mutable types, through the values the
 * state returns too) before and while it is written, with several snapshots outstanding at once
 * and the maps growing under them. A plain model of the state, copied at every snapshot, is what
 * each snapshot must read back as.
 */
class CopyOnWriteSnapshotProperties {

    private static final StateDescriptor.Value<Long> COUNT = new StateDescriptor.Value<>("count", RecordSerializers.longs());
    private static final StateDescriptor.List<String> SEEN = new StateDescriptor.List<>("seen", RecordSerializers.strings());
    private static final StateDescriptor.Map<String, Integer> WORDS =
            new StateDescriptor.Map<>("words", RecordSerializers.strings(), RecordSerializers.ints());
    private static final StateDescriptor.Reducing<Long> MAX = new StateDescriptor.Reducing<>("max", Math::max, RecordSerializers.longs());
    /** Mutable values: byte arrays, changed in place through what the state returns. */
    private static final StateDescriptor.Value<byte[]> BLOB = new StateDescriptor.Value<>("blob", RecordSerializers.byteArrays());
    private static final StateDescriptor.List<byte[]> BLOBS = new StateDescriptor.List<>("blobs", RecordSerializers.byteArrays());
    private static final Map<String, StateDescriptor<?>> ALL = Map.of("count", COUNT, "seen", SEEN, "words", WORDS, "max", MAX,
            "blob", BLOB, "blobs", BLOBS);
    private static final ValueCodec KEYS = ValueCodec.builtInTypesOnly();

    sealed interface Op {
    }

    record SetKey(long key) implements Op {
    }

    record UpdateCount(long value) implements Op {
    }

    record ClearCount() implements Op {
    }

    record AddSeen(String value) implements Op {
    }

    record ReplaceSeen(List<String> values) implements Op {
    }

    record ClearSeen() implements Op {
    }

    record PutWord(String word, int count) implements Op {
    }

    record RemoveWord(String word) implements Op {
    }

    record ClearWords() implements Op {
    }

    record AddMax(long value) implements Op {
    }

    record ClearMax() implements Op {
    }

    record SetBlob(byte value) implements Op {
    }

    /** Changes the first byte of the stored blob in place, through the array {@code value()} returned. */
    record BumpBlob() implements Op {
    }

    record AddToBlobs(byte value) implements Op {
    }

    /** Changes the first listed blob in place, through the list {@code get()} returned. */
    record BumpFirstOfBlobs() implements Op {
    }

    record TakeSnapshot() implements Op {
    }

    record WriteOldest() implements Op {
    }

    record WriteNewest() implements Op {
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<String> words = Arbitraries.of("a", "b", "c", "d");
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                // Every third key collides in the low bits with others, so chains are long and split as the map grows.
                net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(0, 300).map(i -> new SetKey(i % 3 == 0 ? i * 1024 : i))),
                net.jqwik.api.Tuple.of(4, Arbitraries.longs().between(-5, 5).map(UpdateCount::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new ClearCount())),
                net.jqwik.api.Tuple.of(3, words.map(AddSeen::new)),
                net.jqwik.api.Tuple.of(1, words.list().ofMaxSize(3).map(ReplaceSeen::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new ClearSeen())),
                net.jqwik.api.Tuple.of(3, net.jqwik.api.Combinators.combine(words, Arbitraries.integers().between(0, 9)).as(PutWord::new)),
                net.jqwik.api.Tuple.of(2, words.map(RemoveWord::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new ClearWords())),
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(0, 99).map(AddMax::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new ClearMax())),
                net.jqwik.api.Tuple.of(2, Arbitraries.bytes().map(SetBlob::new)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(new BumpBlob())),
                net.jqwik.api.Tuple.of(2, Arbitraries.bytes().map(AddToBlobs::new)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(new BumpFirstOfBlobs())),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(new TakeSnapshot())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new WriteOldest())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new WriteNewest())));
        return op.list().ofMinSize(1).ofMaxSize(400);
    }

    private record Pending(Callable<byte[]> snapshot, Map<String, Map<Object, Object>> expected) {
    }

    @Property(tries = 200)
    void every_snapshot_reads_back_as_the_state_when_it_was_taken(@ForAll("operations") List<Op> operations) throws Exception {
        HeapKeyedStateBackend backend = new HeapKeyedStateBackend(128, new KeyGroupRange(0, 127), KEYS);
        Map<String, Map<Object, Object>> model = new LinkedHashMap<>();
        ALL.keySet().forEach(name -> model.put(name, new HashMap<>()));
        Deque<Pending> pending = new ArrayDeque<>();
        long key = 0;
        backend.setCurrentKey(key);
        for (Op op : operations) {
            if (op instanceof SetKey set) {
                key = set.key();
                backend.setCurrentKey(key);
            } else if (op instanceof TakeSnapshot) {
                pending.addLast(new Pending(backend.snapshotInTwoPhases(), copyOf(model)));
            } else if (op instanceof WriteOldest) {
                if (!pending.isEmpty()) {
                    check(pending.removeFirst());
                }
            } else if (op instanceof WriteNewest) {
                if (!pending.isEmpty()) {
                    check(pending.removeLast());
                }
            } else {
                apply(op, backend, model, key);
            }
        }
        while (!pending.isEmpty()) {
            check(pending.removeFirst());
        }
        check(new Pending(backend.snapshotInTwoPhases(), copyOf(model)));
    }

    private static void check(Pending pending) throws Exception {
        Map<String, Map<Object, Object>> read = HeapKeyedStateBackend.read(pending.snapshot().call(), ALL, KEYS);
        Map<String, Map<Object, Object>> normalized = new HashMap<>();
        pending.expected().keySet().forEach(name -> normalized.put(name, new HashMap<>()));
        read.forEach((name, entries) -> entries.forEach((k, v) -> normalized.get(name).put(k, normalize(v))));
        assertThat(normalized).isEqualTo(pending.expected());
    }

    @SuppressWarnings("unchecked")
    private static void apply(Op op, HeapKeyedStateBackend backend, Map<String, Map<Object, Object>> model, long key) throws Exception {
        ValueState<Long> count = backend.state(COUNT);
        ListState<String> seen = backend.state(SEEN);
        MapState<String, Integer> words = backend.state(WORDS);
        ReducingState<Long> max = backend.state(MAX);
        ValueState<byte[]> blob = backend.state(BLOB);
        ListState<byte[]> blobs = backend.state(BLOBS);
        if (op instanceof UpdateCount update) {
            count.update(update.value());
            model.get("count").put(key, update.value());
        } else if (op instanceof ClearCount clear) {
            count.clear();
            model.get("count").remove(key);
        } else if (op instanceof AddSeen add) {
            seen.add(add.value());
            ((List<Object>) model.get("seen").computeIfAbsent(key, k -> new ArrayList<>())).add(add.value());
        } else if (op instanceof ReplaceSeen replace) {
            seen.update(replace.values());
            if (replace.values().isEmpty()) {
                model.get("seen").remove(key);
            } else {
                model.get("seen").put(key, new ArrayList<>(replace.values()));
            }
        } else if (op instanceof ClearSeen clear) {
            seen.clear();
            model.get("seen").remove(key);
        } else if (op instanceof PutWord put) {
            words.put(put.word(), put.count());
            ((Map<Object, Object>) model.get("words").computeIfAbsent(key, k -> new HashMap<>())).put(put.word(), put.count());
        } else if (op instanceof RemoveWord remove) {
            words.remove(remove.word());
            Map<Object, Object> map = (Map<Object, Object>) model.get("words").get(key);
            if (map != null) {
                map.remove(remove.word());
                if (map.isEmpty()) {
                    model.get("words").remove(key);
                }
            }
        } else if (op instanceof ClearWords clear) {
            words.clear();
            model.get("words").remove(key);
        } else if (op instanceof AddMax add) {
            max.add(add.value());
            model.get("max").merge(key, add.value(), (a, b) -> Math.max((Long) a, (Long) b));
        } else if (op instanceof ClearMax clear) {
            max.clear();
            model.get("max").remove(key);
        } else if (op instanceof SetBlob set) {
            blob.update(new byte[]{set.value(), 7});
            model.get("blob").put(key, normalize(new byte[]{set.value(), 7}));
        } else if (op instanceof BumpBlob bump) {
            byte[] value = blob.value();
            if (value != null) {
                value[0]++;
                model.get("blob").put(key, normalize(value));
            }
        } else if (op instanceof AddToBlobs add) {
            blobs.add(new byte[]{add.value()});
            ((List<Object>) model.get("blobs").computeIfAbsent(key, k -> new ArrayList<>())).add(normalize(new byte[]{add.value()}));
        } else if (op instanceof BumpFirstOfBlobs bump) {
            List<byte[]> values = blobs.get();
            if (!values.isEmpty()) {
                values.get(0)[0]++;
                ((List<Object>) model.get("blobs").get(key)).set(0, normalize(values.get(0)));
            }
        } else {
            throw new IllegalArgumentException("Not a state operation: " + op);
        }
    }

    /** Byte arrays as lists, so that equal contents compare equal; lists and maps element by element. */
    private static Object normalize(Object value) {
        if (value instanceof byte[] bytes) {
            List<Byte> list = new ArrayList<>();
            for (byte b : bytes) {
                list.add(b);
            }
            return List.copyOf(list);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(CopyOnWriteSnapshotProperties::normalize).toList();
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new HashMap<>();
            map.forEach((k, v) -> copy.put(k, normalize(v)));
            return copy;
        }
        return value;
    }

    private static Map<String, Map<Object, Object>> copyOf(Map<String, Map<Object, Object>> model) {
        Map<String, Map<Object, Object>> copy = new HashMap<>();
        model.forEach((name, entries) -> {
            Map<Object, Object> entriesCopy = new HashMap<>();
            entries.forEach((k, v) -> entriesCopy.put(k, normalize(v)));
            copy.put(name, entriesCopy);
        });
        return copy;
    }
}
