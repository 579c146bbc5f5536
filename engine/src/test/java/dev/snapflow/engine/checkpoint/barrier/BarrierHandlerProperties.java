package dev.snapflow.engine.checkpoint.barrier;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random interleavings, in the spirit of Flink's AlignedCheckpointsMassiveRandomTest: every channel
 * sends barriers of increasing ids (sometimes skipping one, sometimes a cancellation marker instead)
 * between data, then ends; channels deliver in a random order, and a blocked channel delivers
 * nothing until resumed.
 */
class BarrierHandlerProperties {

    private static List<ArrayDeque<String>> channelScripts(int channels, int checkpoints, Random random) {
        List<ArrayDeque<String>> scripts = new ArrayList<>();
        for (int channel = 0; channel < channels; channel++) {
            ArrayDeque<String> script = new ArrayDeque<>();
            for (int id = 1; id <= checkpoints; id++) {
                for (int d = random.nextInt(3); d > 0; d--) {
                    script.add("d" + channel);
                }
                int roll = random.nextInt(10);
                if (roll == 0) {
                    continue; // this channel never sends barrier id
                }
                script.add((roll == 1 ? "C" : "B") + id + "@" + channel);
            }
            script.add("EoP@" + channel);
            scripts.add(script);
        }
        return scripts;
    }

    private static void run(BarrierScenario scenario, List<ArrayDeque<String>> scripts, Random random) {
        while (scripts.stream().anyMatch(s -> !s.isEmpty())) {
            List<Integer> ready = new ArrayList<>();
            for (int channel = 0; channel < scripts.size(); channel++) {
                if (!scripts.get(channel).isEmpty() && !scenario.blocked().contains(channel)) {
                    ready.add(channel);
                }
            }
            assertThat(ready).as("some channel can deliver (no deadlock); blocked %s", scenario.blocked()).isNotEmpty();
            int channel = ready.get(random.nextInt(ready.size()));
            scenario.offer(scripts.get(channel).poll());
        }
    }

    private static void assertInvariants(BarrierScenario scenario) {
        for (int i = 1; i < scenario.triggered.size(); i++) {
            assertThat(scenario.triggered.get(i)).as("trigger ids increase").isGreaterThan(scenario.triggered.get(i - 1));
        }
        Set<Long> both = new HashSet<>(scenario.triggered);
        both.retainAll(scenario.aborted.keySet());
        assertThat(both).as("never both triggered and aborted").isEmpty();
        assertThat(scenario.blocked()).as("nothing stays blocked after every channel ended").isEmpty();
    }

    @Property(tries = 1000)
    void aligned_handler_never_triggers_twice_never_deadlocks_and_releases_everything(
            @ForAll @IntRange(min = 1, max = 5) int channels,
            @ForAll @IntRange(min = 1, max = 12) int checkpoints,
            @ForAll long seed) {
        Random random = new Random(seed);
        BarrierScenario scenario = BarrierScenario.aligned(channels, true);

        run(scenario, channelScripts(channels, checkpoints, random), random);

        assertInvariants(scenario);
    }

    @Property(tries = 1000)
    void tracker_never_triggers_twice_and_never_blocks(
            @ForAll @IntRange(min = 1, max = 5) int channels,
            @ForAll @IntRange(min = 1, max = 12) int checkpoints,
            @ForAll long seed) {
        Random random = new Random(seed);
        BarrierScenario scenario = BarrierScenario.tracker(channels, true);

        run(scenario, channelScripts(channels, checkpoints, random), random);

        assertInvariants(scenario);
    }
}
