package dev.snapflow.engine.testing;

import akka.actor.typed.ActorSystem;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeySelector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.ProcessFunction;
import dev.snapflow.engine.api.RuntimeContext;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.runtime.subtask.StandaloneOperator;
import dev.snapflow.engine.state.KeyGroupRangeAssignment;
import dev.snapflow.engine.state.RestoredState;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.serialization.record.ValueCodec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs one subtask of a {@link ProcessFunction} or {@link KeyedProcessFunction} without a job and
 * without actors, the way Flink's {@code ProcessFunctionTestHarnesses} do: hand it elements, read
 * what it emitted and what it keeps in keyed and operator state, take a snapshot, and restore the
 * snapshot into a new harness, also at another subtask index or parallelism (keyed state then goes
 * to the subtask that owns its key group, operator lists are split as a rescaled job splits
 * them). Everything happens on the caller's thread, synchronously, through the same state
 * backends, snapshot formats and checkpoint hooks a job's subtask uses.
 *
 * <pre>{@code
 * var harness = FunctionTestHarness.forKeyedProcessFunction(new CountWords(), (String word) -> word);
 * harness.processElements("to", "be", "or", "not", "to", "be");
 * assertThat(harness.output()).contains(Tuple2.of("to", 2L), Tuple2.of("be", 2L));
 * OperatorSnapshot snapshot = harness.snapshot(1);
 *
 * var restored = FunctionTestHarness.forKeyedProcessFunction(new CountWords(), (String word) -> word);
 * restored.initializeState(snapshot);
 * restored.processElement("to");
 * assertThat(restored.output()).containsExactly(Tuple2.of("to", 3L));
 * }</pre>
 *
 * <p>Configure (subtask, max parallelism, actor system) before the first element; the first
 * element opens the function unless {@link #open()} did. Keys and state values are written with
 * the built-in types' serializers unless {@link #withActorSystem} gives the system whose
 * serialization (Jackson for records and POJOs, bound Akka serializers) a job would use.
 * Not thread-safe: one harness per test.
 *
 * @param <I> the input type
 * @param <O> the output type
 */
public final class FunctionTestHarness<I, O> implements AutoCloseable {

    private enum Phase { CONFIGURING, OPEN, FINISHED, CLOSED }

    private final Object function;
    private final KeySelector<?, ?> keySelector;
    private final boolean keyedFunction;
    private String name = "function-under-test";
    private int subtaskIndex;
    private int parallelism = 1;
    private int maxParallelism = -1;
    private ValueCodec codec = ValueCodec.builtInTypesOnly();
    private Map<String, List<byte[]>> restoredParts;
    private StandaloneOperator operator;
    private Phase phase = Phase.CONFIGURING;
    private final List<O> output = new ArrayList<>();
    private int taken;

    private FunctionTestHarness(Object function, KeySelector<?, ?> keySelector, boolean keyedFunction) {
        this.function = Objects.requireNonNull(function, "function");
        this.keySelector = keySelector;
        this.keyedFunction = keyedFunction;
    }

    /** A harness for a process function on a stream that is not keyed. */
    public static <I, O> FunctionTestHarness<I, O> forProcessFunction(ProcessFunction<I, O> function) {
        return new FunctionTestHarness<>(function, null, false);
    }

    /** A harness for a process function after {@code keyBy(keySelector)}: it has keyed state. */
    public static <K, I, O> FunctionTestHarness<I, O> forProcessFunction(ProcessFunction<I, O> function,
                                                                         KeySelector<I, K> keySelector) {
        return new FunctionTestHarness<>(function, Objects.requireNonNull(keySelector, "keySelector"), false);
    }

    /** A harness for a keyed process function after {@code keyBy(keySelector)}. */
    public static <K, I, O> FunctionTestHarness<I, O> forKeyedProcessFunction(KeyedProcessFunction<K, I, O> function,
                                                                              KeySelector<I, K> keySelector) {
        return new FunctionTestHarness<>(function, Objects.requireNonNull(keySelector, "keySelector"), true);
    }

    /** Runs as subtask {@code subtaskIndex} of {@code parallelism} (default: 0 of 1). */
    public FunctionTestHarness<I, O> withSubtask(int subtaskIndex, int parallelism) {
        configuring();
        new RuntimeContext(name, name, subtaskIndex, parallelism, 1);
        this.subtaskIndex = subtaskIndex;
        this.parallelism = parallelism;
        return this;
    }

    /** The number of key groups (default: what a job would choose for the parallelism). */
    public FunctionTestHarness<I, O> withMaxParallelism(int maxParallelism) {
        configuring();
        KeyGroupRangeAssignment.checkMaxParallelism(maxParallelism);
        this.maxParallelism = maxParallelism;
        return this;
    }

    /** The operator's name and uid, as its runtime context shows them (default "function-under-test"). */
    public FunctionTestHarness<I, O> withOperatorName(String name) {
        configuring();
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** Writes keys and values with {@code system}'s serialization, as a job on it would. */
    public FunctionTestHarness<I, O> withActorSystem(ActorSystem<?> system) {
        configuring();
        this.codec = ValueCodec.create(system);
        return this;
    }

    /**
     * Restores the state of one or more subtasks' snapshots, as a job restored from a checkpoint
     * does, then the function opens on it. Give the snapshot of this subtask, or those of every
     * subtask of a run: at the same parallelism this subtask takes its own snapshot; at another,
     * the keyed state of its key groups and its share of operator lists (as a rescaled job splits
     * them). A {@code CheckpointedFunction}'s bytes cannot be split: they restore only at the same
     * parallelism. Without {@link #withMaxParallelism}, the harness takes the snapshots' max
     * parallelism, as a restored job does.
     */
    public FunctionTestHarness<I, O> initializeState(OperatorSnapshot... snapshots) throws Exception {
        configuring();
        if (snapshots.length == 0) {
            throw new IllegalArgumentException("initializeState needs at least one snapshot");
        }
        restoredParts = assign(Arrays.asList(snapshots));
        open();
        return this;
    }

    private Map<String, List<byte[]>> assign(List<OperatorSnapshot> snapshots) throws Exception {
        int oldParallelism = snapshots.get(0).parallelism();
        if (maxParallelism <= 0) {
            maxParallelism = snapshots.get(0).maxParallelism();
        }
        Set<Integer> indices = new HashSet<>();
        for (OperatorSnapshot snapshot : snapshots) {
            if (snapshot.parallelism() != oldParallelism) {
                throw new IllegalArgumentException("The snapshots come from different parallelisms (" + oldParallelism + " and "
                        + snapshot.parallelism() + "): give those of one run");
            }
            if (!indices.add(snapshot.subtaskIndex())) {
                throw new IllegalArgumentException("Two snapshots of subtask " + snapshot.subtaskIndex() + " were given");
            }
            if (keySelector != null && snapshot.maxParallelism() != maxParallelism()) {
                throw new IllegalArgumentException("Keyed state was written with max parallelism " + snapshot.maxParallelism()
                        + ", this harness has " + maxParallelism() + "; the max parallelism cannot change across a restore");
            }
        }
        if (oldParallelism == parallelism) {
            Map<String, List<byte[]>> parts = new TreeMap<>();
            OperatorSnapshot own = snapshots.stream().filter(snapshot -> snapshot.subtaskIndex() == subtaskIndex).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("At the same parallelism (" + parallelism + ") subtask "
                            + subtaskIndex + " restores its own snapshot, which is not among those given"));
            own.parts().forEach((part, bytes) -> parts.put(part, List.of(bytes)));
            return parts;
        }
        if (snapshots.size() != oldParallelism) {
            throw new IllegalArgumentException("Restoring subtask " + subtaskIndex + " of " + parallelism + " from a run with "
                    + "parallelism " + oldParallelism + " needs the snapshots of all " + oldParallelism + " of its subtasks, got "
                    + snapshots.size());
        }
        List<OperatorSnapshot> ordered = snapshots.stream()
                .sorted(java.util.Comparator.comparingInt(OperatorSnapshot::subtaskIndex)).toList();
        if (ordered.stream().anyMatch(snapshot -> snapshot.parts().containsKey(""))) {
            throw new IllegalArgumentException("The function's own snapshot (CheckpointedFunction) cannot be split: restore it"
                    + " at the parallelism it ran with (" + oldParallelism + "), into the same subtask");
        }
        List<byte[]> keyed = ordered.stream().map(snapshot -> snapshot.parts().get(SubtaskState.KEYED_SUFFIX))
                .filter(Objects::nonNull).toList();
        List<byte[]> lists = ordered.stream().map(snapshot -> snapshot.parts().get(SubtaskState.OPERATOR_SUFFIX))
                .filter(Objects::nonNull).toList();
        return RestoredState.rescaledParts(keyed, lists, parallelism).get(subtaskIndex);
    }

    /** Opens the function (after restoring any state given to {@link #initializeState}); the first element does it otherwise. */
    public FunctionTestHarness<I, O> open() throws Exception {
        configuring();
        RuntimeContext context = new RuntimeContext(name, name, subtaskIndex, parallelism, maxParallelism());
        operator = keyedFunction
                ? StandaloneOperator.keyed(context, (KeyedProcessFunction<?, ?, ?>) function, keySelector, codec)
                : StandaloneOperator.process(context, (ProcessFunction<?, ?>) function, keySelector, codec);
        @SuppressWarnings("unchecked")
        Collector<Object> collector = record -> output.add((O) record);
        operator.setOutput(collector);
        if (restoredParts != null) {
            operator.restore(restoredParts);
        }
        phase = Phase.OPEN;
        operator.open(restoredParts != null);
        return this;
    }

    private int maxParallelism() {
        return maxParallelism > 0 ? maxParallelism : KeyGroupRangeAssignment.defaultMaxParallelism(parallelism);
    }

    /** Hands the function one element; its exception, if it throws, comes out as it threw it. */
    public void processElement(I element) throws Exception {
        running();
        operator.process(element);
    }

    @SafeVarargs
    public final void processElements(I... elements) throws Exception {
        for (I element : elements) {
            processElement(element);
        }
    }

    /** Everything the function emitted so far, in order. */
    public List<O> output() {
        return List.copyOf(output);
    }

    /** What the function emitted since the last call of this method. */
    public List<O> takeOutput() {
        List<O> recent = List.copyOf(output.subList(taken, output.size()));
        taken = output.size();
        return recent;
    }

    /**
     * Takes a snapshot for checkpoint {@code checkpointId}, as the subtask does when the barrier
     * passes: the function's {@code prepareSnapshot} or {@code snapshotState} runs first. Keyed
     * state is written in full (the harness keeps no chain of incremental checkpoints).
     */
    public OperatorSnapshot snapshot(long checkpointId) throws Exception {
        running();
        return new OperatorSnapshot(checkpointId, subtaskIndex, parallelism, maxParallelism(), operator.snapshot(checkpointId));
    }

    /** Tells the function that checkpoint {@code checkpointId} completed (a {@code CheckpointListener} hears it). */
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        running();
        operator.notifyCheckpointComplete(checkpointId);
    }

    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        running();
        operator.notifyCheckpointAborted(checkpointId);
    }

    /** Ends the input: the function's {@code finish} runs and may still emit. Snapshots may follow. */
    public void finish() throws Exception {
        running();
        operator.finish();
        phase = Phase.FINISHED;
    }

    /**
     * {@code descriptor}'s keyed state scoped to {@code key}: what the function would see
     * processing an element with that key ({@code harness.keyedState("to", COUNT).value()}).
     */
    public <S> S keyedState(Object key, StateDescriptor<S> descriptor) throws Exception {
        running();
        return operator.keyedStateOf(key).state(descriptor);
    }

    /** The elements of this subtask's operator list state {@code descriptor}. */
    public <T> List<T> operatorState(StateDescriptor.List<T> descriptor) throws Exception {
        running();
        return operator.operatorState().listState(descriptor).get();
    }

    /** Closes the function; a harness that never opened does nothing. */
    @Override
    public void close() throws Exception {
        if (operator != null && phase != Phase.CLOSED) {
            phase = Phase.CLOSED;
            operator.close();
        }
    }

    private void configuring() {
        if (phase != Phase.CONFIGURING) {
            throw new IllegalStateException("The harness is " + phase.name().toLowerCase()
                    + ": configure and initialize it before the first element");
        }
    }

    private void running() throws Exception {
        if (phase == Phase.CONFIGURING) {
            open();
        }
        if (phase == Phase.CLOSED) {
            throw new IllegalStateException("The harness is closed");
        }
    }
}
