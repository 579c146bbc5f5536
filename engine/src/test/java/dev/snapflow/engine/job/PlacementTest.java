package dev.snapflow.engine.job;

import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.graph.SubtaskId;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PlacementTest {

    /** A source at {@code sourceParallelism}, chained to a map, keyed into a sum at {@code keyedParallelism}, a sink at 1. */
    static ExecutionPlan plan(int sourceParallelism, int keyedParallelism) {
        JobBuilder job = JobBuilder.create("placed");
        job.source("numbers", Sources.sequence(0, 10)).parallelism(sourceParallelism)
                .map("double", (Long value) -> value * 2).parallelism(sourceParallelism)
                .keyBy(value -> value % 7)
                .map("keyed", (Long value) -> value).parallelism(keyedParallelism)
                .sink("out", Sinks.discard()).parallelism(1);
        return ExecutionPlan.of(job.build());
    }

    @Test
    void when_three_workers_offer_two_slots_each_then_a_job_of_parallelism_three_takes_one_slot_on_each() {
        ExecutionPlan plan = plan(3, 3);

        Placement<String> placement = Placement.place(plan, List.of(
                new Placement.Offer<>("a", 2), new Placement.Offer<>("b", 2), new Placement.Offer<>("c", 2))).orElseThrow();

        assertThat(placement.slotsNeeded()).isEqualTo(3);
        assertThat(placement.load()).containsOnlyKeys("a", "b", "c");
        for (ExecutionPlan.Chain chain : plan.chains()) {
            for (int i = 0; i < chain.parallelism(); i++) {
                assertThat(placement.workerOf(new SubtaskId(chain.id(), i)))
                        .as("subtask %d of every chain shares slot %d", i, i)
                        .isEqualTo(placement.workerOf(new SubtaskId(0, i)));
            }
        }
    }

    @Test
    void when_the_workers_offer_fewer_slots_than_the_highest_parallelism_then_there_is_no_placement() {
        assertThat(Placement.place(plan(2, 5), List.of(new Placement.Offer<>("a", 2), new Placement.Offer<>("b", 2))))
                .isEmpty();
        assertThat(Placement.place(plan(2, 4), List.of(new Placement.Offer<>("a", 2), new Placement.Offer<>("b", 2))))
                .isPresent();
    }

    @Test
    void when_workers_offer_different_slots_then_slices_alternate_until_the_smaller_is_full() {
        Placement<String> placement = Placement.place(plan(4, 4), List.of(
                new Placement.Offer<>("small", 1), new Placement.Offer<>("large", 4))).orElseThrow();

        Map<String, Set<Integer>> slices = slicesByWorker(placement);
        assertThat(slices.get("large")).containsExactlyInAnyOrder(0, 2, 3);
        assertThat(slices.get("small")).containsExactly(1);
    }

    @Property(tries = 200)
    void a_placement_never_gives_a_worker_more_slices_than_it_offers_and_spreads_them_evenly(
            @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 0, max = 4) Integer> slots,
            @ForAll @IntRange(min = 1, max = 6) int sourceParallelism, @ForAll @IntRange(min = 1, max = 6) int keyedParallelism) {
        List<Placement.Offer<String>> offers = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            offers.add(new Placement.Offer<>("w" + i, slots.get(i)));
        }
        ExecutionPlan plan = plan(sourceParallelism, keyedParallelism);
        int needed = Math.max(sourceParallelism, keyedParallelism);

        var placed = Placement.place(plan, offers);

        assertThat(placed.isPresent()).isEqualTo(slots.stream().mapToInt(Integer::intValue).sum() >= needed);
        placed.ifPresent(placement -> {
            Map<String, Set<Integer>> slices = slicesByWorker(placement);
            int total = 0;
            for (int i = 0; i < offers.size(); i++) {
                int used = slices.getOrDefault("w" + i, Set.of()).size();
                assertThat(used).isLessThanOrEqualTo(slots.get(i));
                total += used;
                for (int j = 0; j < offers.size(); j++) {
                    int other = slices.getOrDefault("w" + j, Set.of()).size();
                    // Spread: a worker with free slots left never has two fewer slices than another.
                    if (used < slots.get(i)) {
                        assertThat(other - used).isLessThanOrEqualTo(1);
                    }
                }
            }
            assertThat(total).isEqualTo(needed);
        });
    }

    private static Map<String, Set<Integer>> slicesByWorker(Placement<String> placement) {
        Map<String, Set<Integer>> slices = new HashMap<>();
        placement.workers().forEach((subtask, worker) -> slices.computeIfAbsent(worker, w -> new HashSet<>()).add(subtask.subtaskIndex()));
        return slices;
    }
}
