package dev.snapflow.engine.checkpoint.barrier;

import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.CheckpointOptions;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Flink-style scenario script for a barrier handler: per-channel sequences of data ({@code d0}),
 * barriers ({@code B3@1}: checkpoint 3 on channel 1; {@code A3@1} is always aligned, {@code U3@1}
 * always unaligned; {@code N3@1} announces one delivered behind data), cancellation markers ({@code C3@1}) and
 * ends of partition ({@code EoP@2}; {@code E@2}: delivered, but still behind data), separated by spaces ({@code |} separates phases and is
 * ignored). It records what the handler decided and checks that the script is realistic: a
 * blocked channel delivers nothing until it is resumed.
 */
final class BarrierScenario {

    /** A clock the scenario advances by one millisecond per script element. */
    private long nowNanos;
    private final CheckpointBarrierHandler handler;
    private final BitSet blocked = new BitSet();
    final List<Long> triggered = new ArrayList<>();
    final Map<Long, CheckpointFailureReason> aborted = new LinkedHashMap<>();
    final List<BarrierAction.TriggerCheckpoint> triggers = new ArrayList<>();
    /** Unaligned: the data elements persisted as in-flight input, as "dN" with their position in the script (from 1). */
    final List<String> persisted = new ArrayList<>();
    /** Unaligned: checkpoints whose in-flight input completed. */
    final List<Long> inputComplete = new ArrayList<>();
    private final BitSet persisting = new BitSet();
    private int position;
    private CheckpointOptions barrierOptions = CheckpointOptions.forCheckpointWithDefaultLocation();

    private BarrierScenario(java.util.function.Function<BarrierScenario, CheckpointBarrierHandler> handlerFactory) {
        this.handler = handlerFactory.apply(this);
    }

    static BarrierScenario aligned(int channels, boolean checkpointsAfterInputsEnd) {
        return new BarrierScenario(s -> new ExactlyOnceBarrierHandler(channels, checkpointsAfterInputsEnd,
                () -> s.nowNanos, () -> s.nowNanos / 1_000_000));
    }

    /** Timers the handler asked for: checkpoint id and delay in milliseconds. */
    final List<long[]> scheduledTimeouts = new ArrayList<>();

    /** The exactly-once handler fed aligned barriers that switch to unaligned after {@code timeoutMillis} (from time 0). */
    static BarrierScenario timeoutable(int channels, long timeoutMillis) {
        BarrierScenario scenario = aligned(channels, true);
        scenario.barrierOptions = CheckpointOptions.alignedWithTimeout(dev.snapflow.serialization.event.CheckpointType.CHECKPOINT,
                dev.snapflow.serialization.event.CheckpointStorageLocationReference.DEFAULT, timeoutMillis);
        return scenario;
    }

    /** Lets {@code millis} pass. */
    BarrierScenario advance(long millis) {
        nowNanos += millis * 1_000_000;
        return this;
    }

    /** The timer of checkpoint {@code checkpointId} fires. */
    BarrierScenario fireTimeout(long checkpointId) {
        apply(handler.onAlignmentTimeout(checkpointId));
        return this;
    }

    /** The exactly-once handler fed unaligned barriers. */
    static BarrierScenario unaligned(int channels) {
        return unaligned(channels, true);
    }

    /** The exactly-once handler fed unaligned barriers, with or without checkpoints after inputs end. */
    static BarrierScenario unaligned(int channels, boolean checkpointsAfterInputsEnd) {
        BarrierScenario scenario = aligned(channels, checkpointsAfterInputsEnd);
        scenario.barrierOptions = CheckpointOptions.unaligned(dev.snapflow.serialization.event.CheckpointType.CHECKPOINT,
                dev.snapflow.serialization.event.CheckpointStorageLocationReference.DEFAULT);
        return scenario;
    }

    static BarrierScenario tracker(int channels, boolean checkpointsAfterInputsEnd) {
        return new BarrierScenario(s -> new BarrierTracker(channels, checkpointsAfterInputsEnd,
                () -> s.nowNanos, () -> s.nowNanos / 1_000_000));
    }

    /** Feeds a script to the handler. */
    BarrierScenario offer(String script) {
        for (String token : script.trim().split("\\s+")) {
            if (token.isEmpty() || token.equals("|")) {
                continue;
            }
            nowNanos += 1_000_000;
            position++;
            step(token);
        }
        return this;
    }

    private void step(String token) {
        if (token.startsWith("X")) {
            // The coordinator says the checkpoint was aborted, out of band (rule B11).
            apply(handler.onCheckpointAborted(Long.parseLong(token.substring(1))));
            return;
        }
        if (token.startsWith("d")) {
            int channel = Integer.parseInt(token.substring(1));
            if (blocked.get(channel)) {
                throw new AssertionError("The script delivers " + token + " on blocked channel " + channel);
            }
            if (persisting.get(channel)) {
                persisted.add(token + "#" + position);
            }
            return;
        }
        int at = token.indexOf('@');
        int channel = Integer.parseInt(token.substring(at + 1));
        if (blocked.get(channel)) {
            throw new AssertionError("The script delivers " + token + " on blocked channel " + channel);
        }
        List<BarrierAction> actions;
        if (token.startsWith("EoP")) {
            actions = handler.onEndOfPartition(channel);
        } else if (token.startsWith("E@")) {
            actions = handler.onEndOfPartitionAhead(channel);
        } else if (token.startsWith("N")) {
            // Delivered, but still queued behind data: announced (B10).
            actions = handler.onBarrierAnnounced(channel, new CheckpointBarrier(Long.parseLong(token.substring(1, at)), 0, barrierOptions));
        } else {
            long id = Long.parseLong(token.substring(1, at));
            if (token.startsWith("B")) {
                actions = handler.onBarrier(channel, new CheckpointBarrier(id, 0, barrierOptions));
            } else if (token.startsWith("U")) {
                // An unaligned barrier whatever the scenario's kind, as one that overtook data upstream.
                actions = handler.onBarrier(channel, new CheckpointBarrier(id, 0, barrierOptions.isTimeoutable()
                        ? barrierOptions.toUnaligned()
                        : CheckpointOptions.unaligned(dev.snapflow.serialization.event.CheckpointType.CHECKPOINT,
                        dev.snapflow.serialization.event.CheckpointStorageLocationReference.DEFAULT)));
            } else if (token.startsWith("A")) {
                // An aligned barrier whatever the scenario's kind, as a savepoint's in an unaligned job.
                actions = handler.onBarrier(channel, new CheckpointBarrier(id, 0, CheckpointOptions.forCheckpointWithDefaultLocation()));
            } else {
                actions = handler.onCancellationMarker(channel, id);
            }
        }
        apply(actions);
    }

    private void apply(List<BarrierAction> actions) {
        for (BarrierAction action : actions) {
            if (action instanceof BarrierAction.BlockChannel block) {
                if (blocked.get(block.channel())) {
                    throw new AssertionError("Channel " + block.channel() + " blocked twice");
                }
                blocked.set(block.channel());
            } else if (action instanceof BarrierAction.ResumeChannel resume) {
                if (!blocked.get(resume.channel())) {
                    throw new AssertionError("Channel " + resume.channel() + " resumed but not blocked");
                }
                blocked.clear(resume.channel());
            } else if (action instanceof BarrierAction.TriggerCheckpoint trigger) {
                triggers.add(trigger);
                triggered.add(trigger.barrier().id());
            } else if (action instanceof BarrierAction.PersistInFlightInput persist) {
                persisting.clear();
                persist.channelsUntilBarrier().forEach(persisting::set);
            } else if (action instanceof BarrierAction.StopPersistingInput stop) {
                persisting.clear(stop.channel());
            } else if (action instanceof BarrierAction.ScheduleAlignmentTimeout timeout) {
                scheduledTimeouts.add(new long[]{timeout.checkpointId(), timeout.delayMillis()});
            } else if (action instanceof BarrierAction.InFlightInputComplete complete) {
                if (!persisting.isEmpty()) {
                    throw new AssertionError("Input of " + complete.checkpointId() + " complete while persisting " + persisting);
                }
                inputComplete.add(complete.checkpointId());
            } else if (action instanceof BarrierAction.AbortCheckpoint abort) {
                persisting.clear();
                if (aborted.put(abort.checkpointId(), abort.reason()) != null) {
                    throw new AssertionError("Checkpoint " + abort.checkpointId() + " aborted twice");
                }
            }
        }
        if (!blocked.stream().boxed().collect(java.util.stream.Collectors.toSet()).equals(handler.blockedChannels())) {
            throw new AssertionError("Actions left " + blocked + " blocked, the handler says " + handler.blockedChannels());
        }
    }

    List<Integer> blocked() {
        return blocked.stream().boxed().toList();
    }
}
