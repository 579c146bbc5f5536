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

    /** Shared files in memory. */
    private static final class MapStore implements SharedStateStore {
        final Map<String, byte[]> files = new HashMap<>();
        final AtomicInteger names = new AtomicInteger();

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
        return net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 9), Arbitraries.longs().between(0, 150),
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
        List<Callable<byte[]>> pending = new ArrayList<>();
        for (Step step : steps) {
            backend.setCurrentKey(step.key());
            ValueState<Long> count = backend.state(COUNT);
            ListState<String> seen = backend.state(SEEN);
            switch (step.kind()) {
                case 0, 1, 2 -> count.update(step.value());
                case 3 -> count.clear();
                case 4 -> seen.add("v" + step.value());
                case 5 -> seen.clear();
                case 6, 7 -> { // a checkpoint that completes; its bytes are written later, while the state changes
                    checkpointId++;
                    pending.add(backend.snapshotInTwoPhases(checkpointId));
                    if (step.kind() == 6 || pending.size() > 2) {
                        for (Callable<byte[]> write : pending) {
                            lastChain = write.call();
                        }
                        pending.clear();
                        backend.notifyCheckpointComplete(checkpointId);
                    }
                }
                default -> { // a checkpoint that fails: written, never heard completed
                    checkpointId++;
                    backend.snapshotInTwoPhases(checkpointId).call();
                }
            }
        }
        checkpointId++;
        byte[] chain = backend.snapshotInTwoPhases(checkpointId).call();
        byte[] full = backend.snapshot();
        assertThat(KeyedStateChain.isChain(chain)).isTrue();

        for (int subtask = 0; subtask < parallelism; subtask++) {
            KeyGroupRange range = KeyGroupRangeAssignment.rangeForSubtask(MAX_PARALLELISM, parallelism, subtask);
            assertThat(restored(range, store, chain)).isEqualTo(restored(range, store, full));
        }
        if (lastChain != null) { // an older chain still restores: its files were not changed by later ones
            restored(new KeyGroupRange(0, MAX_PARALLELISM - 1), store, lastChain);
        }
    }

    private static Map<String, Map<Object, Object>> restored(KeyGroupRange range, SharedStateStore store, byte[] part)
            throws Exception {
        HeapKeyedStateBackend backend = new HeapKeyedStateBackend(MAX_PARALLELISM, range, KEYS, store, 0);
        backend.restore(part);
        return HeapKeyedStateBackend.read(backend.snapshot(), ALL, KEYS);
    }
}
