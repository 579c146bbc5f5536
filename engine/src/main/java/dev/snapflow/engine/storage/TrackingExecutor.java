package dev.snapflow.engine.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Runs storage work (state files, metadata, deletions) on another executor and knows when none is
 * left, so that a job reports itself terminated only once every file it was writing or deleting
 * is settled: a user who copies or restores the checkpoint directory after that sees no half
 * written or half deleted files. One per attempt of a job; thread-safe. Storage work is per
 * checkpoint, never per record, so a lock here costs nothing that matters.
 */
public final class TrackingExecutor implements Executor {

    private final Executor delegate;
    /** Tasks submitted and not yet finished; guarded by {@code this}. */
    private int running;
    /** Futures to complete when {@link #running} reaches 0; guarded by {@code this}. */
    private final List<CompletableFuture<Void>> idleWaiters = new ArrayList<>();

    public TrackingExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            running++;
        }
        try {
            delegate.execute(() -> {
                try {
                    task.run();
                } finally {
                    finished();
                }
            });
        } catch (RuntimeException e) { // rejected, or the delegate failed: the task will never run
            finished();
            throw e;
        }
    }

    private void finished() {
        List<CompletableFuture<Void>> idle;
        synchronized (this) {
            if (--running > 0 || idleWaiters.isEmpty()) {
                return;
            }
            idle = List.copyOf(idleWaiters);
            idleWaiters.clear();
        }
        idle.forEach(waiter -> waiter.complete(null));
    }

    /** Completes once no task is running: at once if none is. Tasks submitted later may delay it. */
    public CompletableFuture<Void> whenIdle() {
        CompletableFuture<Void> idle = new CompletableFuture<>();
        synchronized (this) {
            if (running > 0) {
                idleWaiters.add(idle);
                return idle;
            }
        }
        idle.complete(null);
        return idle;
    }
}
