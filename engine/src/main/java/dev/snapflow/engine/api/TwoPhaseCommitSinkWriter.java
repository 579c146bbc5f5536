package dev.snapflow.engine.api;

import dev.snapflow.serialization.record.RecordSerializer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A sink writer whose output becomes visible exactly once: records go into a transaction, which
 * is pre-committed when a checkpoint snapshots the sink and committed only when that checkpoint
 * completed, as Flink's {@code TwoPhaseCommitSinkFunction}.
 *
 * <p>Lifecycle, on the subtask's thread:
 * <ul>
 *   <li>{@link #beginTransaction()} when the writer starts and after every snapshot;</li>
 *   <li>{@link #write(Object, Object)} for each record, into the open transaction;</li>
 *   <li>at a checkpoint: {@link #preCommit(Object)} the open transaction (flush it, make it
 *       durable; it can no longer fail to commit), keep it as pending for that checkpoint, and begin
 *       the next one. Pending and open transactions are this operator's state;</li>
 *   <li>when checkpoint n completed: {@link #commit(Object)} every pending transaction of
 *       checkpoints up to n, oldest first;</li>
 *   <li>on a restore: {@link #recoverAndCommit(Object)} the transactions pending in the restored
 *       checkpoint (it completed, so they must become visible) and {@link #recoverAndAbort(Object)}
 *       the one that was open (its records come again from the rewound sources);</li>
 *   <li>at the end of input, the open transaction is pre-committed and committed by the job's final
 *       checkpoint, which the job waits for; when the subtask stops without finishing (failure,
 *       cancel), the open transaction is aborted.</li>
 * </ul>
 *
 * <p>A commit may be repeated after a failure (a restore commits again what was pending in the
 * checkpoint, committed or not), so {@code commit} must accept a transaction it already
 * committed. A checkpoint that is aborted leaves its transaction pending; the next completed
 * checkpoint commits it. The state is operator list state, split evenly on a rescaling restore.
 *
 * @param <T>   the record type
 * @param <TXN> the transaction handle: small, serializable with {@link #transactionSerializer()}
 */
public abstract class TwoPhaseCommitSinkWriter<T, TXN> implements SinkWriter<T>, OperatorStateFunction, CheckpointListener {

    private ListState<TXN> pendingState;
    private ListState<TXN> openState;
    /** Pre-committed transactions by the checkpoint that snapshotted them. */
    private final TreeMap<Long, TXN> pending = new TreeMap<>();
    private TXN open;
    private long recordsInOpen;
    /** The input ended: the pre-committed last transaction waits for the next snapshot. */
    private boolean finished;
    private boolean reportedAllCommitted;

    /** A new transaction; records written from now on go into it. */
    protected abstract TXN beginTransaction() throws Exception;

    /** Writes {@code record} into {@code transaction}; invisible until committed. */
    protected abstract void write(TXN transaction, T record) throws Exception;

    /** Makes {@code transaction} durable so that its commit cannot fail for want of data. */
    protected abstract void preCommit(TXN transaction) throws Exception;

    /** Makes {@code transaction} visible; must accept a transaction it already committed. */
    protected abstract void commit(TXN transaction) throws Exception;

    /** Drops {@code transaction} and everything written into it. */
    protected abstract void abort(TXN transaction) throws Exception;

    /** How transactions are stored in checkpoints. */
    protected abstract RecordSerializer<TXN> transactionSerializer();

    /**
     * Called once when the input ended and every transaction with records was committed: the
     * writer's output is complete. Not called for a subtask restored as finished (its output was
     * completed by the run that finished it).
     */
    protected void allCommitted() throws Exception {
    }

    /** Commits a transaction that was pending in the restored checkpoint; by default {@link #commit}. */
    protected void recoverAndCommit(TXN transaction) throws Exception {
        commit(transaction);
    }

    /** Aborts the transaction that was open in the restored checkpoint; by default {@link #abort}. */
    protected void recoverAndAbort(TXN transaction) throws Exception {
        abort(transaction);
    }

    @Override
    public final void initializeState(OperatorStateStore store, boolean restored) throws Exception {
        pendingState = store.listState(new StateDescriptor.List<>("two-phase-commit-pending", transactionSerializer()));
        openState = store.listState(new StateDescriptor.List<>("two-phase-commit-open", transactionSerializer()));
        if (restored) {
            for (TXN transaction : pendingState.get()) {
                recoverAndCommit(transaction);
            }
            for (TXN transaction : openState.get()) {
                recoverAndAbort(transaction);
            }
        }
        pendingState.clear();
        openState.clear();
        open = beginTransaction();
    }

    @Override
    public final void write(T record) throws Exception {
        recordsInOpen++;
        write(open, record);
    }

    @Override
    public final void prepareSnapshot(long checkpointId) throws Exception {
        if (open != null) {
            if (!finished) {
                preCommit(open);
            }
            pending.put(checkpointId, open);
            open = finished ? null : beginTransaction();
            recordsInOpen = 0;
        }
        pendingState.update(new ArrayList<>(pending.values()));
        openState.update(open == null ? List.of() : List.of(open));
    }

    @Override
    public final void notifyCheckpointComplete(long checkpointId) throws Exception {
        Map<Long, TXN> done = pending.headMap(checkpointId, true);
        for (TXN transaction : new ArrayList<>(done.values())) {
            commit(transaction);
        }
        done.clear();
        reportIfAllCommitted();
    }

    private void reportIfAllCommitted() throws Exception {
        if (finished && open == null && pending.isEmpty() && !reportedAllCommitted) {
            reportedAllCommitted = true;
            allCommitted();
        }
    }

    /** Pre-commits the last transaction, which the job's final checkpoint commits; an empty one is aborted. */
    @Override
    public final Optional<List<Object>> finish() throws Exception {
        finished = true;
        if (recordsInOpen == 0) {
            abort(open);
            open = null;
            reportIfAllCommitted();
        } else {
            preCommit(open);
        }
        return Optional.empty();
    }

    /** True while records are written but not committed: the job must take a checkpoint before it ends. */
    public final boolean hasUncommittedOutput() {
        return !pending.isEmpty() || (open != null && recordsInOpen > 0);
    }

    /**
     * Aborts the open transaction: a writer that stops with one (failure, cancel, or a finish no
     * checkpoint has snapshotted yet) had its records replayed or discarded. Pending transactions
     * stay for recovery to commit.
     */
    @Override
    public final void close() throws Exception {
        if (open != null) {
            TXN transaction = open;
            open = null;
            abort(transaction);
        }
    }
}
