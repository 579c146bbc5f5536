package dev.snapflow.engine.job;

import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.SubtaskId;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the subtasks of a job run on a cluster: a pure function of the plan and the slots that
 * the members offer.
 *
 * <p>As in Flink's slot sharing, a slot holds one parallel slice of the job: subtask {@code i} of
 * every chain goes to slot {@code i}, so a job needs as many slots as its highest parallelism, and
 * operators chained together stay together in one subtask. Slices go to the workers one at a
 * time, each to a worker with a free slot that has the fewest slices of the job so far (on a tie,
 * the one with most free slots, then the first in the given order), so the job spreads evenly
 * over the cluster.
 *
 * @param <W> how a worker is named
 */
public final class Placement<W> {

    /** A worker and the slots it offers. */
    public record Offer<W>(W worker, int slots) {
        public Offer {
            Objects.requireNonNull(worker, "worker");
            if (slots < 0) {
                throw new IllegalArgumentException("slots must be >= 0, was " + slots);
            }
        }
    }

    private final Map<SubtaskId, W> workers;
    private final Map<W, List<SubtaskId>> subtasksByWorker;
    private final int slotsNeeded;

    private Placement(Map<SubtaskId, W> workers, int slotsNeeded) {
        this.workers = Collections.unmodifiableMap(workers);
        Map<W, List<SubtaskId>> byWorker = new LinkedHashMap<>();
        workers.forEach((subtask, worker) -> byWorker.computeIfAbsent(worker, w -> new ArrayList<>()).add(subtask));
        byWorker.replaceAll((worker, subtasks) -> List.copyOf(subtasks));
        this.subtasksByWorker = Collections.unmodifiableMap(byWorker);
        this.slotsNeeded = slotsNeeded;
    }

    /** Slots {@code plan} needs: its highest parallelism. */
    public static int slotsNeeded(ExecutionPlan plan) {
        return plan.chains().stream().mapToInt(ExecutionPlan.Chain::parallelism).max().orElse(0);
    }

    /** The placement of {@code plan} on {@code offers}, or empty if they offer fewer slots than it needs. */
    public static <W> Optional<Placement<W>> place(ExecutionPlan plan, List<Offer<W>> offers) {
        int needed = slotsNeeded(plan);
        int offered = offers.stream().mapToInt(Offer::slots).sum();
        if (offered < needed) {
            return Optional.empty();
        }
        int[] free = offers.stream().mapToInt(Offer::slots).toArray();
        int[] taken = new int[free.length];
        List<W> slotWorkers = new ArrayList<>(needed);
        for (int slot = 0; slot < needed; slot++) {
            int best = -1;
            for (int i = 0; i < free.length; i++) {
                if (free[i] > 0 && (best < 0 || taken[i] < taken[best] || (taken[i] == taken[best] && free[i] > free[best]))) {
                    best = i;
                }
            }
            free[best]--;
            taken[best]++;
            slotWorkers.add(offers.get(best).worker());
        }
        Map<SubtaskId, W> workers = new LinkedHashMap<>();
        for (ExecutionPlan.Chain chain : plan.chains()) {
            for (int index = 0; index < chain.parallelism(); index++) {
                workers.put(new SubtaskId(chain.id(), index), slotWorkers.get(index));
            }
        }
        return Optional.of(new Placement<>(workers, needed));
    }

    public W workerOf(SubtaskId subtask) {
        W worker = workers.get(subtask);
        if (worker == null) {
            throw new IllegalArgumentException("The placement has no subtask " + subtask);
        }
        return worker;
    }

    /** The subtasks of each worker, workers in the order of their first subtask. */
    public Map<W, List<SubtaskId>> subtasksByWorker() {
        return subtasksByWorker;
    }

    public Map<SubtaskId, W> workers() {
        return workers;
    }

    public int slotsNeeded() {
        return slotsNeeded;
    }

    /** Subtasks per worker, for logs. */
    public Map<W, Integer> load() {
        Map<W, Integer> load = new LinkedHashMap<>();
        subtasksByWorker.forEach((worker, subtasks) -> load.put(worker, subtasks.size()));
        return load;
    }
}
