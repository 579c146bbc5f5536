package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeySelector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.KeyedStateStore;
import dev.snapflow.engine.api.OperatorStateStore;
import dev.snapflow.engine.api.ProcessFunction;
import dev.snapflow.engine.api.RuntimeContext;
import dev.snapflow.engine.state.RestoredState;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.serialization.record.ValueCodec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * One process-function operator run outside a job, exactly as a subtask runs it (the same state
 * backends, snapshot formats and checkpoint hooks), driven by a caller on one thread. It backs
 * the test harnesses of {@code dev.snapflow.engine.testing}; jobs never use it.
 *
 * <p>State parts are named by their suffix in {@link SubtaskState} ({@code ""} for a
 * {@code CheckpointedFunction}'s own bytes), without the operator's uid.
 */
public final class StandaloneOperator {

    private final ChainedOperator.Process operator;

    private StandaloneOperator(ChainedOperator.Process operator) {
        this.operator = operator;
    }

    /** A process function, keyed when {@code keySelector} is not null; keys are written with {@code keyCodec}. */
    @SuppressWarnings("unchecked")
    public static StandaloneOperator process(RuntimeContext context, ProcessFunction<?, ?> function,
                                             KeySelector<?, ?> keySelector, ValueCodec keyCodec) {
        return of(context, (ProcessFunction<Object, Object>) function, function, keySelector, keyCodec);
    }

    /** A keyed process function. */
    @SuppressWarnings("unchecked")
    public static StandaloneOperator keyed(RuntimeContext context, KeyedProcessFunction<?, ?, ?> function,
                                           KeySelector<?, ?> keySelector, ValueCodec keyCodec) {
        return of(context, ChainedOperator.Process.keyed((KeyedProcessFunction<Object, Object, Object>) function), function,
                keySelector, keyCodec);
    }

    /** As a job's chain makes it: the operator runs {@code function}, and {@code userObject} takes part in checkpoints. */
    @SuppressWarnings("unchecked")
    private static StandaloneOperator of(RuntimeContext context, ProcessFunction<Object, Object> function, Object userObject,
                                         KeySelector<?, ?> keySelector, ValueCodec keyCodec) {
        ChainedOperator.Process operator = new ChainedOperator.Process(context, function,
                (KeySelector<Object, Object>) keySelector, new KeyedStateOptions(keyCodec, null, 0));
        operator.setUserObject(userObject);
        return new StandaloneOperator(operator);
    }

    public void setOutput(Collector<Object> output) {
        operator.setOutput(output);
    }

    /** Takes in restored parts (by suffix, each with the snapshots of the old subtasks it comes from). */
    public void restore(Map<String, List<byte[]>> parts) throws Exception {
        Map<String, List<byte[]>> byName = new TreeMap<>();
        parts.forEach((suffix, snapshots) -> byName.put(operator.uid() + suffix, snapshots));
        unwrapped(() -> operator.restore(new RestoredState(byName)));
    }

    /** Sets up operator state ({@code restored}: after {@link #restore}) and opens the function. */
    public void open(boolean restored) throws Exception {
        unwrapped(() -> {
            operator.initializeState(restored);
            operator.call(operator::open);
        });
    }

    public void process(Object record) throws Exception {
        unwrapped(() -> operator.collect(record));
    }

    /** The operator's state parts for a checkpoint, by suffix; keyed state is a full, self-contained snapshot. */
    public Map<String, byte[]> snapshot(long checkpointId) throws Exception {
        Map<String, byte[]> parts = new TreeMap<>();
        unwrapped(() -> {
            operator.snapshotState(checkpointId).ifPresent(bytes -> parts.put("", bytes));
            Optional<Callable<byte[]>> keyed = operator.snapshotKeyedState(checkpointId, false);
            if (keyed.isPresent()) {
                operator.call(() -> parts.put(SubtaskState.KEYED_SUFFIX, keyed.get().call()));
            }
            operator.snapshotOperatorState(checkpointId).ifPresent(bytes -> parts.put(SubtaskState.OPERATOR_SUFFIX, bytes));
        });
        return parts;
    }

    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        unwrapped(() -> operator.notifyCheckpointComplete(checkpointId));
    }

    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        unwrapped(() -> operator.notifyCheckpointAborted(checkpointId));
    }

    public void finish() throws Exception {
        unwrapped(() -> operator.call(operator::finish));
    }

    public void close() throws Exception {
        unwrapped(() -> operator.call(operator::close));
    }

    /** The keyed state scoped to {@code key}, as the function would see it processing a record with that key. */
    public KeyedStateStore keyedStateOf(Object key) {
        return operator.keyedStateOf(key);
    }

    public OperatorStateStore operatorState() {
        return operator.operatorState();
    }

    /** Runs {@code action}, throwing a user function's own exception rather than the runtime's wrapper. */
    private static void unwrapped(ChainedOperator.ThrowingAction action) throws Exception {
        try {
            action.run();
        } catch (UserFunctionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
