package dev.snapflow.engine.storage;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class TrackingExecutorTest {

    /** Runs tasks only when told to, so that the test decides when they finish. */
    private final List<Runnable> queued = new ArrayList<>();
    private final TrackingExecutor executor = new TrackingExecutor(queued::add);

    @Test
    void when_nothing_runs_then_it_is_idle_at_once() {
        assertThat(executor.whenIdle()).isCompleted();
    }

    @Test
    void when_tasks_run_then_it_is_idle_only_after_the_last_one_finished() {
        executor.execute(() -> { });
        executor.execute(() -> { });
        CompletableFuture<Void> idle = executor.whenIdle();

        queued.get(0).run();
        assertThat(idle).isNotDone();
        queued.get(1).run();
        assertThat(idle).isCompleted();
    }

    @Test
    void when_a_task_throws_then_it_still_counts_as_finished() {
        executor.execute(() -> {
            throw new IllegalStateException("disk full");
        });
        CompletableFuture<Void> idle = executor.whenIdle();

        try {
            queued.get(0).run();
        } catch (IllegalStateException expected) {
            // the delegate's thread would see it; the count must not
        }
        assertThat(idle).isCompleted();
    }
}
