package dev.snapflow.engine.state;

import dev.snapflow.engine.api.ListState;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.record.ValueCodec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Incremental checkpoints restore what full ones do: after any sequence of changes, checkpoints
 * that complete and checkpoints that fail (so the next delta must cover their changes too), the
 * chain of the last checkpoint restores, at the same and at another parallelism, to exactly the
 * state a full snapshot taken at the same moment restores to.
 */
class IncrementalSnapshotProperties {

    private static final StateDescriptor.Value<Long> COUNT = new StateDescriptor.Value<>("count", RecordSerializers.longs());
    private static final StateDescriptor.List<String> SEEN = new StateDescriptor.List<>("seen", RecordSerializers.strings());
    private static final Map<String, StateDescriptor<?>> ALL = Map.of("count", COUNT, "seen", SEEN);
    private static final ValueCodec KEYS = ValueCodec.builtInTypesOnly();
    private static final int MAX_PARALLELISM = 128;

    /**
     * Shared files in memory, deleted as a storage that retains one checkpoint deletes them: when
     * a checkpoint completes, every file written up to it that it does not refer to.
     */
    private static final class MapStore implements SharedStateStore {
        final Map<String, byte[]> files = new HashMap<>();
        final AtomicInteger names = new AtomicInteger();

        void discarded(long checkpointId) {
            files.keySet().removeIf(name -> name.startsWith(checkpointId + "-"));
        }

        void completed(long checkpointId, byte[] chainOrNull) throws IOException {
            List<String> kept = chainOrNull == null ? List.of()
                    : KeyedStateChain.files(chainOrNull).stream().map(SharedStateRef::file).toList();
            files.keySet().removeIf(name -> !kept.contains(name) && Long.parseLong(name.substring(0, name.indexOf('-'))) <= checkpointId);
        }

        @Override
        public SharedStateRef write(long checkpointId, byte[] bytes) {
            String name = checkpointId + "-" + names.incrementAndGet();
            files.put(name, bytes.clone());
            return new SharedStateRef(name, bytes.length, 0);
        }

        @Override
        public byte[] read(SharedStateRef ref) throws IOException {
            byte[] bytes = files.get(ref.file());
            if (bytes == null) {
                throw new IOException("missing " + ref.file());
            }
            return bytes.clone();
        }
    }

    /** One step: a change to a key's state, or a checkpoint that completes or fails. */
    record Step(int kind, long key, long value) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 10), Arbitraries.longs().between(0, 150),
                Arbitraries.longs().between(-3, 3)).as(Step::new).list().ofMinSize(1).ofMaxSize(400);
    }

    @Property(tries = 200)
    void a_chain_restores_to_what_a_full_snapshot_restores_to(@ForAll("steps") List<Step> steps,
                                                              @ForAll @IntRange(min = 1, max = 4) int maxDeltas,
                                                              @ForAll @IntRange(min = 1, max = 3) int parallelism) throws Exception {
        MapStore store = new MapStore();
        HeapKeyedStateBackend backend = new HeapKeyedStateBackend(MAX_PARALLELISM, new KeyGroupRange(0, MAX_PARALLELISM - 1), KEYS,
                store, maxDeltas);
        long checkpointId = 0;
        byte[] lastChain = null;
        // Checkpoints in progress, oldest first: taken, then completed in order, so later ones are
        // taken before earlier ones complete, as with concurrent checkpoints.
        java.util.ArrayDeque<Map.Entry<Long, Callable<byte[]>>> pending = new java.util.ArrayDeque<>();
        for (Step step : steps) {
            backend.setCurrentKey(step.key());
            ValueState<Long> count = backend.state(COUNT);
            ListState<String> seen = backend.state(SEEN);
            switch (step.kind()) {
                case 0, 1, 2 -> count.update(step.value());
                case 3 -> count.clear();
                case 4 -> seen.add("v" + step.value());
                case 5 -> seen.clear();
                case 6, 7 -> {
                    checkpointId++;
                    pending.addLast(Map.entry(checkpointId, backend.snapshotInTwoPhases(checkpointId)));
                }
                case 8 -> { // the oldest checkpoint in progress completes; storage drops what it does not need
                    if (!pending.isEmpty()) {
                        Map.Entry<Long, Callable<byte[]>> oldest = pending.removeFirst();
                        lastChain = oldest.getValue().call();
                        store.completed(oldest.getKey(), lastChain);
                        backend.notifyCheckpointComplete(oldest.getKey());
                    }
                }
                case 9 -> { // a checkpoint without this backend's part, as when its state is empty and has no chain
                    if (pending.isEmpty() && !backend.hasChain()) {
                        checkpointId++;
                        lastChain = null;
                        store.completed(checkpointId, null);
                        backend.notifyCheckpointComplete(checkpointId);
                    }
                }
                default -> { // the oldest checkpoint in progress fails: written, discarded, never heard completed
                    if (!pending.isEmpty()) {
                        Map.Entry<Long, Callable<byte[]>> oldest = pending.removeFirst();
                        oldest.getValue().call();
                        store.discarded(oldest.getKey());
                    }
                }
            }
        }
        while (!pending.isEmpty()) {
            Map.Entry<Long, Callable<byte[]>> oldest = pending.removeFirst();
            lastChain = oldest.getValue().call();
            store.completed(oldest.getKey(), lastChain);
            backend.notifyCheckpointComplete(oldest.getKey());
        }
        checkpointId++;
        byte[] chain = backend.snapshotInTwoPhases(checkpointId).call();
        byte[] full = backend.snapshot();
        assertThat(KeyedStateChain.isChain(chain)).isTrue();

        for (int subtask = 0; subtask < parallelism; subtask++) {
            KeyGroupRange range = KeyGroupRangeAssignment.rangeForSubtask(MAX_PARALLELISM, parallelism, subtask);
            assertThat(restored(range, store, chain)).isEqualTo(restored(range, store, full));
        }
        if (lastChain != null) { // the last completed chain still restores: nothing it needs was deleted
            restored(new KeyGroupRange(0, MAX_PARALLELISM - 1), store, lastChain);
        }
    }

    private static Map<String, Map<Object, Object>> restored(KeyGroupRange range, SharedStateStore store, byte[] part)
            throws Exception {
        HeapKeyedStateBackend backend = new HeapKeyedStateBackend(MAX_PARALLELISM, range, KEYS, store, 0);
        backend.restore(part);
        return HeapKeyedStateBackend.read(backend.snapshot(), ALL, KEYS);
    }

    @net.jqwik.api.Example
    void when_a_key_flaps_more_often_than_the_change_list_holds_then_the_next_checkpoint_is_full_and_restores_right()
            throws Exception {
        MapStore store = new MapStore();
        HeapKeyedStateBackend backend = new HeapKeyedStateBackend(MAX_PARALLELISM, new KeyGroupRange(0, MAX_PARALLELISM - 1), KEYS,
                store, 5);
        backend.setCurrentKey(1L);
        backend.state(COUNT).update(1L);
        backend.state(SEEN).add("a");
        backend.snapshotInTwoPhases(1).call();
        backend.notifyCheckpointComplete(1);
        for (long i = 0; i < 5_000; i++) {
            backend.setCurrentKey(2L);
            backend.state(COUNT).update(i);
            backend.state(COUNT).clear();
        }
        backend.setCurrentKey(3L);
        backend.state(COUNT).update(3L);

        byte[] chain = backend.snapshotInTwoPhases(2).call();

        assertThat(KeyedStateChain.files(chain)).as("a full snapshot, not a delta on checkpoint 1").hasSize(1);
        assertThat(restored(new KeyGroupRange(0, MAX_PARALLELISM - 1), store, chain))
                .isEqualTo(restored(new KeyGroupRange(0, MAX_PARALLELISM - 1), store, backend.snapshot()));
    }
}
