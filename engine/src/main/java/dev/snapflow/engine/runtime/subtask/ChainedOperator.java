package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.api.CheckpointListener;
import dev.snapflow.engine.api.CheckpointedFunction;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.FilterFunction;
import dev.snapflow.engine.api.FlatMapFunction;
import dev.snapflow.engine.api.KeySelector;
import dev.snapflow.engine.api.KeyedStateStore;
import dev.snapflow.engine.api.OperatorStateFunction;
import dev.snapflow.engine.api.OperatorStateStore;
import dev.snapflow.engine.api.TwoPhaseCommitSinkWriter;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.engine.state.OperatorStateBackend;
import dev.snapflow.engine.state.RestoredState;
import dev.snapflow.engine.state.HeapKeyedStateBackend;
import dev.snapflow.engine.state.KeyGroupRangeAssignment;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.MapFunction;
import dev.snapflow.engine.api.ProcessFunction;
import dev.snapflow.engine.api.RuntimeContext;
import dev.snapflow.engine.api.SinkWriter;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * One operator inside a subtask's chain. Upstream hands it records through {@link #collect};
 * it calls its user function and passes results to its {@code output}, which is the next
 * chained operator, a {@link RecordWriter}, or a fan-out of several. A user exception becomes a
 * {@link UserFunctionException} naming this operator; one from further down passes through.
 * Actor-confined.
 */
abstract class ChainedOperator implements Collector<Object> {

    final RuntimeContext context;
    Collector<Object> output;
    /** The user object that may take part in checkpoints (a function or sink writer); null if none. */
    private Object userObject;
    /** Operator list state: a process function's through its context, an {@link OperatorStateFunction}'s. */
    final OperatorStateBackend operatorState = new OperatorStateBackend();

    ChainedOperator(RuntimeContext context) {
        this.context = context;
    }

    void setUserObject(Object userObject) {
        this.userObject = userObject;
    }

    /** The user's snapshot of its own state, if it is a {@link CheckpointedFunction}. */
    Optional<byte[]> snapshotState(long checkpointId) {
        if (userObject instanceof CheckpointedFunction function) {
            byte[][] bytes = new byte[1][];
            call(() -> bytes[0] = function.snapshotState(checkpointId));
            if (bytes[0] == null) {
                throw new UserFunctionException(name(), new NullPointerException("snapshotState returned null"));
            }
            return Optional.of(bytes[0]);
        }
        return Optional.empty();
    }

    /** Takes in this operator's parts of a restored subtask state; called before {@link #initializeState}. */
    void restore(RestoredState state) {
        if (userObject instanceof CheckpointedFunction function) {
            state.single(uid()).ifPresent(bytes -> call(() -> function.restoreState(bytes)));
        }
        state.single(uid() + SubtaskState.OPERATOR_SUFFIX).ifPresent(bytes -> call(() -> operatorState.restore(bytes)));
    }

    /** Lets an {@link OperatorStateFunction} register and read its lists; called after any restore, before {@link #open}. */
    void initializeState(boolean restored) {
        if (userObject instanceof OperatorStateFunction function) {
            call(() -> function.initializeState(operatorState, restored));
        }
    }

    /** A snapshot of the operator's operator (list) state, if it has any. */
    Optional<byte[]> snapshotOperatorState(long checkpointId) {
        if (userObject instanceof OperatorStateFunction function) {
            call(() -> function.prepareSnapshot(checkpointId));
        }
        if (operatorState.isEmpty()) {
            return Optional.empty();
        }
        byte[][] bytes = new byte[1][];
        call(() -> bytes[0] = operatorState.snapshot());
        return Optional.of(bytes[0]);
    }

    /** True while a transactional sink holds output that only a coming checkpoint will commit. */
    boolean hasUncommittedOutput() {
        return userObject instanceof TwoPhaseCommitSinkWriter<?, ?> writer && writer.hasUncommittedOutput();
    }

    /** The operator's keyed state, if it has any, as a two-phase snapshot (see the state backend). */
    /**
     * @param intoCheckpointStorage false for a savepoint, which must be self-contained: no
     *                              incremental keyed state
     */
    Optional<Callable<byte[]>> snapshotKeyedState(long checkpointId, boolean intoCheckpointStorage) {
        return Optional.empty();
    }

    void notifyCheckpointComplete(long checkpointId) {
        notifyStateOfCompletion(checkpointId);
        if (userObject instanceof CheckpointListener listener) {
            call(() -> listener.notifyCheckpointComplete(checkpointId));
        }
    }

    /** Tells the operator's own state that a checkpoint completed, before its user function hears of it. */
    void notifyStateOfCompletion(long checkpointId) {
    }

    void notifyCheckpointAborted(long checkpointId) {
        if (userObject instanceof CheckpointListener listener) {
            call(() -> listener.notifyCheckpointAborted(checkpointId));
        }
    }

    void setOutput(Collector<Object> output) {
        this.output = output;
    }

    String name() {
        return context.operatorName();
    }

    /** What this operator's state parts are stored under in a subtask's state. */
    String uid() {
        return context.operatorUid();
    }

    @Override
    public final void collect(Object record) {
        try {
            process(record);
        } catch (UserFunctionException downstream) {
            throw downstream;
        } catch (Exception e) {
            throw new UserFunctionException(name(), e);
        }
    }

    abstract void process(Object record) throws Exception;

    void open() throws Exception {
    }

    /** After the last record: may emit final records. */
    void finish() throws Exception {
    }

    void close() throws Exception {
    }

    /** What a collecting sink gathered; empty for every other operator. */
    Optional<List<Object>> collected() {
        return Optional.empty();
    }

    boolean isSink() {
        return false;
    }

    /** Runs {@code action}, turning a user exception into one that names this operator. */
    final void call(ThrowingAction action) {
        try {
            action.run();
        } catch (UserFunctionException downstream) {
            throw downstream;
        } catch (Exception e) {
            throw new UserFunctionException(name(), e);
        }
    }

    @FunctionalInterface
    interface ThrowingAction {
        void run() throws Exception;
    }

    static final class Map extends ChainedOperator {
        private final MapFunction<Object, Object> function;

        Map(RuntimeContext context, MapFunction<Object, Object> function) {
            super(context);
            this.function = function;
        }

        @Override
        void process(Object record) throws Exception {
            Object result = function.map(record);
            if (result == null) {
                throw new NullPointerException("map returned null for " + record);
            }
            output.collect(result);
        }
    }

    static final class FlatMap extends ChainedOperator {
        private final FlatMapFunction<Object, Object> function;

        FlatMap(RuntimeContext context, FlatMapFunction<Object, Object> function) {
            super(context);
            this.function = function;
        }

        @Override
        void process(Object record) throws Exception {
            function.flatMap(record, output);
        }
    }

    static final class Filter extends ChainedOperator {
        private final FilterFunction<Object> function;

        Filter(RuntimeContext context, FilterFunction<Object> function) {
            super(context);
            this.function = function;
        }

        @Override
        void process(Object record) throws Exception {
            if (function.filter(record)) {
                output.collect(record);
            }
        }
    }

    /**
     * A process function; keyed when {@code keySelector} is present (the chain head after a keyBy).
     * It is the context of both function kinds, so a keyed function runs through
     * {@link #keyed(KeyedProcessFunction)} without a context object per record.
     */
    static final class Process extends ChainedOperator implements ProcessFunction.Context, KeyedProcessFunction.Context<Object> {
        private final ProcessFunction<Object, Object> function;
        private final KeySelector<Object, Object> keySelector;
        /** The keyed state of this subtask's key groups; null when the input is not keyed. */
        private final HeapKeyedStateBackend keyedState;
        private Object currentKey;

        Process(RuntimeContext context, ProcessFunction<Object, Object> function, KeySelector<Object, Object> keySelector,
                KeyedStateOptions keyedStateOptions) {
            super(context);
            this.function = function;
            this.keySelector = keySelector;
            this.keyedState = keySelector == null ? null : new HeapKeyedStateBackend(context.maxParallelism(),
                    KeyGroupRangeAssignment.rangeForSubtask(context.maxParallelism(), context.parallelism(), context.subtaskIndex()),
                    keyedStateOptions.keyCodec(), keyedStateOptions.sharedState(), keyedStateOptions.maxDeltas());
        }

        @Override
        public KeyedStateStore keyedState() {
            if (keyedState == null) {
                throw new IllegalStateException("Operator '" + name() + "' does not read a keyed stream: use keyBy before it");
            }
            return keyedState;
        }

        @Override
        public OperatorStateStore operatorState() {
            return operatorState;
        }

        /** The keyed state with {@code key} as the current key: what the function sees for a record with that key. */
        KeyedStateStore keyedStateOf(Object key) {
            KeyedStateStore store = keyedState();
            keyedState.setCurrentKey(key);
            return store;
        }

        @Override
        void restore(RestoredState state) {
            super.restore(state);
            for (byte[] snapshot : state.snapshots(uid() + SubtaskState.KEYED_SUFFIX)) {
                if (keyedState == null) {
                    throw new UserFunctionException(name(), new IllegalStateException(
                            "The checkpoint has keyed state for operator '" + name() + "', which no longer reads a keyed stream"));
                }
                call(() -> keyedState.restore(snapshot));
            }
        }

        @Override
        Optional<Callable<byte[]>> snapshotKeyedState(long checkpointId, boolean intoCheckpointStorage) {
            if (keyedState == null || (keyedState.isEmpty() && !keyedState.hasChain())) {
                return Optional.empty();
            }
            List<Callable<byte[]>> snapshot = new java.util.ArrayList<>(1);
            call(() -> snapshot.add(intoCheckpointStorage ? keyedState.snapshotInTwoPhases(checkpointId)
                    : keyedState.snapshotInTwoPhases()));
            return Optional.of(snapshot.get(0));
        }

        @Override
        void notifyStateOfCompletion(long checkpointId) {
            if (keyedState != null) {
                keyedState.notifyCheckpointComplete(checkpointId);
            }
        }

        @Override
        void open() throws Exception {
            function.open(context);
        }

        @Override
        void process(Object record) throws Exception {
            if (keySelector != null) {
                currentKey = keySelector.key(record);
                keyedState.setCurrentKey(currentKey);
            }
            function.processElement(record, this, output);
        }

        @Override
        void finish() throws Exception {
            currentKey = null;
            function.finish(output);
        }

        @Override
        void close() throws Exception {
            function.close();
        }

        @Override
        public RuntimeContext runtimeContext() {
            return context;
        }

        /** A keyed process function seen as a process function whose context is this operator. */
        static ProcessFunction<Object, Object> keyed(KeyedProcessFunction<Object, Object, Object> function) {
            return new ProcessFunction<>() {
                @Override
                public void open(RuntimeContext context) throws Exception {
                    function.open(context);
                }

                @Override
                @SuppressWarnings("unchecked")
                public void processElement(Object value, Context context, Collector<Object> out) throws Exception {
                    function.processElement(value, (KeyedProcessFunction.Context<Object>) context, out);
                }

                @Override
                public void finish(Collector<Object> out) throws Exception {
                    function.finish(out);
                }

                @Override
                public void close() throws Exception {
                    function.close();
                }
            };
        }

        @Override
        public Object currentKey() {
            if (keySelector == null) {
                throw new IllegalStateException("Operator '" + name() + "' does not read a keyed stream: use keyBy before it");
            }
            if (currentKey == null) {
                throw new IllegalStateException("Operator '" + name() + "' has no current key outside processElement");
            }
            return currentKey;
        }
    }

    static final class Sink extends ChainedOperator {
        private final SinkWriter<Object> writer;
        private Optional<List<Object>> collected = Optional.empty();
        long records;

        Sink(RuntimeContext context, SinkWriter<Object> writer, SinkWriter.FlowControl flowControl) {
            super(context);
            this.writer = writer;
            setUserObject(writer);
            writer.setFlowControl(flowControl);
        }

        void flush() {
            call(writer::flush);
        }

        @Override
        void process(Object record) throws Exception {
            records++;
            writer.write(record);
        }

        @Override
        void finish() throws Exception {
            collected = writer.finish();
        }

        @Override
        void close() throws Exception {
            writer.close();
        }

        @Override
        Optional<List<Object>> collected() {
            return collected;
        }

        @Override
        boolean isSink() {
            return true;
        }
    }
}
