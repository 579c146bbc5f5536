package dev.snapflow.engine.checkpoint.coordinator;

import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.CheckpointOptions;
import dev.snapflow.serialization.event.CheckpointStorageLocationReference;
import dev.snapflow.serialization.event.CheckpointType;
import dev.snapflow.serialization.event.SavepointType;
import dev.snapflow.serialization.event.SnapshotType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The checkpoint bookkeeping of one job: when a checkpoint may start, which subtasks must
 * acknowledge it, when it is complete, which older ones it subsumes, which to keep, and when
 * failures are too many. Returns its decisions as values; the actor carries them out
 * (sending, writing, timers). Actor-confined; time comes from an injected wall clock.
 *
 * <p>Rules (K-rules in {@code protocols.md}): ids start at 1 and increase (K1); periodic triggers
 * respect max-concurrent (K2) and min-pause (K3); a checkpoint completes when every subtask
 * acknowledged it (K4) and its metadata is written (K5); completing subsumes older pending
 * checkpoints (K6); a decline or a timeout aborts (K7); more consecutive counted failures than
 * tolerated fail the job (K8).
 *
 * @param <H> the handle type subtasks acknowledge their state with
 */
public final class CheckpointCoordinator<H> {

    /** Whether a checkpoint starts now. */
    public sealed interface TriggerDecision {
        /** Start it: send this barrier to every subtask in {@code targets}. */
        record Trigger(CheckpointBarrier barrier, Set<SubtaskId> targets) implements TriggerDecision {
        }

        /** Not now; a periodic trigger may retry at {@code retryAtMillis}. */
        record NotNow(String why, OptionalLong retryAtMillis) implements TriggerDecision {
        }
    }

    /** What an acknowledgement, decline, timeout or failed finalization led to. */
    public sealed interface Outcome {
        /** Recorded; more acknowledgements are needed. */
        record StillPending(long checkpointId) implements Outcome {
        }

        /** Every subtask acknowledged: write the metadata, then call {@link #onFinalized}. */
        record ReadyToFinalize<H>(CompletedCheckpoint<H> checkpoint) implements Outcome {
        }

        /**
         * The checkpoint is given up: tell the subtasks and discard its state.
         *
         * @param failJob true if the failure exceeded the tolerable count
         */
        record Aborted(long checkpointId, CheckpointFailureReason reason, boolean failJob) implements Outcome {
        }

        /** Nothing to do: a late, duplicate or unknown message; the state it carries is discarded. */
        record Ignored(long checkpointId, String why) implements Outcome {
        }
    }

    /**
     * After a checkpoint's metadata was written.
     *
     * @param subsumed pending checkpoints older than it, now aborted as subsumed
     * @param evicted  completed checkpoints beyond the retained count, to delete
     */
    public record Finalized<H>(CompletedCheckpoint<H> checkpoint, List<Long> subsumed, List<CompletedCheckpoint<H>> evicted) {
    }

    private final CheckpointSettings settings;
    private final Set<SubtaskId> subtasks;
    private final Set<SubtaskId> sources;
    private final LongSupplier wallClockMillis;
    private final Set<SubtaskId> finished = new HashSet<>();
    private final TreeMap<Long, PendingCheckpoint<H>> pending = new TreeMap<>();
    /** Completed checkpoints kept, by id; at most {@code settings.retained()}, the newest. */
    private final TreeMap<Long, CompletedCheckpoint<H>> completed = new TreeMap<>();
    /** The next id to assign; ids start at 1 (K1). */
    private long nextId = 1;
    /** The newest checkpoint finalized; 0 before any. Failures of older ids are not counted. */
    private long lastCompletedId;
    /** When the last checkpoint was finalized, for min-pause; {@code Long.MIN_VALUE / 2} before any. */
    private long lastCompletionMillis = Long.MIN_VALUE / 2;
    /**
     * The id of the savepoint that stops the job, from its trigger on (while it is pending and
     * after it completed); 0 while the job runs on. Reset when that savepoint is aborted.
     */
    private long stoppingWithSavepoint;
    /** Consecutive counted failures since the last completed checkpoint. */
    private int consecutiveFailures;
    private final Set<Long> countedFailures = new HashSet<>();

    /**
     * @param subtasks every subtask of the job: each must acknowledge every checkpoint
     * @param sources  the source subtasks: the coordinator sends them the trigger
     */
    public CheckpointCoordinator(CheckpointSettings settings, Set<SubtaskId> subtasks, Set<SubtaskId> sources,
                                 LongSupplier wallClockMillis) {
        this(settings, subtasks, sources, wallClockMillis, 1);
    }

    /** @param firstCheckpointId the first id to assign (K1): 1, or one more than a restored checkpoint's */
    public CheckpointCoordinator(CheckpointSettings settings, Set<SubtaskId> subtasks, Set<SubtaskId> sources,
                                 LongSupplier wallClockMillis, long firstCheckpointId) {
        if (!subtasks.containsAll(sources) || sources.isEmpty()) {
            throw new IllegalArgumentException("The sources must be a non-empty subset of the subtasks");
        }
        this.settings = settings;
        this.subtasks = Set.copyOf(subtasks);
        this.sources = Set.copyOf(sources);
        this.wallClockMillis = wallClockMillis;
        if (firstCheckpointId < 1) {
            throw new IllegalArgumentException("Checkpoint ids start at 1 or later, not " + firstCheckpointId);
        }
        this.nextId = firstCheckpointId;
        this.lastCompletedId = firstCheckpointId - 1;
    }

    /**
     * Decides whether a checkpoint starts now. Periodic triggers wait for max-concurrent (K2) and
     * min-pause (K3); requested ones only for max-concurrent.
     */
    public TriggerDecision tryTrigger(boolean periodic) {
        if (periodic && stoppingWithSavepoint > 0) {
            // Rule K12: the job is stopping; a checkpoint now would only be subsumed or abandoned.
            return new TriggerDecision.NotNow("the job is stopping with savepoint " + stoppingWithSavepoint, OptionalLong.empty());
        }
        if (pending.size() >= settings.maxConcurrent()) {
            return new TriggerDecision.NotNow(pending.size() + " checkpoint(s) in progress, max-concurrent is "
                    + settings.maxConcurrent(), OptionalLong.empty());
        }
        long now = wallClockMillis.getAsLong();
        long earliest = lastCompletionMillis + settings.minPause().toMillis();
        if (periodic && now < earliest) {
            return new TriggerDecision.NotNow("min-pause after the last checkpoint", OptionalLong.of(earliest));
        }
        return trigger(options(CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.DEFAULT));
    }

    /**
     * Starts a savepoint now: savepoints are forced, so neither max-concurrent nor min-pause holds
     * them back, and a pending savepoint is never subsumed. It is aligned in exactly-once mode
     * and at-least-once otherwise, never unaligned (Flink's {@code forConfig}).
     *
     * @param location where subtasks write their state (the savepoint's directory)
     */
    public TriggerDecision.Trigger triggerSavepoint(SavepointType type, CheckpointStorageLocationReference location) {
        TriggerDecision.Trigger trigger = trigger(options(type, location));
        if (type.isSynchronous()) {
            stoppingWithSavepoint = trigger.barrier().id();
        }
        return trigger;
    }

    /** The savepoint the job is stopping with, pending or completed (K12); empty while it runs on. */
    public OptionalLong stoppingWithSavepoint() {
        return stoppingWithSavepoint > 0 ? OptionalLong.of(stoppingWithSavepoint) : OptionalLong.empty();
    }

    private TriggerDecision.Trigger trigger(CheckpointOptions options) {
        long id = nextId++;
        CheckpointBarrier barrier = new CheckpointBarrier(id, wallClockMillis.getAsLong(), options);
        pending.put(id, new PendingCheckpoint<>(barrier, subtasks));
        Set<SubtaskId> targets = new HashSet<>(sources);
        targets.addAll(finished);
        return new TriggerDecision.Trigger(barrier, Set.copyOf(targets));
    }

    private CheckpointOptions options(SnapshotType type, CheckpointStorageLocationReference location) {
        return CheckpointOptions.forConfig(type, location, settings.mode() == CheckpointSettings.Mode.EXACTLY_ONCE,
                settings.unaligned(), settings.alignedCheckpointTimeout().toMillis());
    }

    /**
     * A subtask finished: it sends no more barriers, so later checkpoints trigger it directly, and
     * so do the pending ones it has not acknowledged.
     *
     * @return the barriers of pending checkpoints to send to it now
     */
    public List<CheckpointBarrier> onSubtaskFinished(SubtaskId subtask) {
        finished.add(subtask);
        List<CheckpointBarrier> barriers = new ArrayList<>();
        for (PendingCheckpoint<H> checkpoint : pending.values()) {
            if (checkpoint.notYetAcknowledged().contains(subtask)) {
                barriers.add(checkpoint.barrier());
            }
        }
        return barriers;
    }

    /** Records a subtask's acknowledgement (K4). */
    public Outcome acknowledge(long checkpointId, SubtaskId subtask, H state, SubtaskCheckpointMetrics metrics) {
        PendingCheckpoint<H> checkpoint = pending.get(checkpointId);
        if (checkpoint == null) {
            return new Outcome.Ignored(checkpointId, "not pending (late, aborted or unknown)");
        }
        long now = wallClockMillis.getAsLong();
        switch (checkpoint.acknowledge(subtask, state, metrics, now)) {
            case DUPLICATE:
                return new Outcome.Ignored(checkpointId, subtask + " acknowledged twice");
            case UNKNOWN:
                return new Outcome.Ignored(checkpointId, subtask + " is not part of the job");
            default:
                break;
        }
        if (!checkpoint.isFullyAcknowledged()) {
            return new Outcome.StillPending(checkpointId);
        }
        pending.remove(checkpointId);
        Map<SubtaskId, H> states = new HashMap<>();
        Map<SubtaskId, SubtaskCheckpointMetrics> metricsBySubtask = new HashMap<>();
        Map<SubtaskId, Long> ackTimes = new HashMap<>();
        long lastAck = 0;
        for (Map.Entry<SubtaskId, PendingCheckpoint.Acknowledged<H>> ack : checkpoint.acknowledged().entrySet()) {
            states.put(ack.getKey(), ack.getValue().state());
            metricsBySubtask.put(ack.getKey(), ack.getValue().metrics());
            ackTimes.put(ack.getKey(), ack.getValue().ackTimeMillis());
            lastAck = Math.max(lastAck, ack.getValue().ackTimeMillis());
        }
        return new Outcome.ReadyToFinalize<>(new CompletedCheckpoint<>(checkpointId, checkpoint.barrier().timestamp(),
                lastAck, states, metricsBySubtask, ackTimes, checkpoint.barrier().options()));
    }

    /** A subtask declined: the checkpoint aborts (K7). */
    public Outcome decline(long checkpointId, SubtaskId subtask, CheckpointFailureReason reason) {
        return abort(checkpointId, reason);
    }

    /** The checkpoint's timeout fired (K7). */
    public Outcome expire(long checkpointId) {
        return abort(checkpointId, CheckpointFailureReason.CHECKPOINT_EXPIRED);
    }

    /** Writing the checkpoint's metadata failed: a counted failure, unless it was a savepoint. */
    public Outcome onFinalizeFailed(CompletedCheckpoint<H> checkpoint) {
        if (checkpoint.id() == stoppingWithSavepoint) {
            stoppingWithSavepoint = 0;
        }
        return new Outcome.Aborted(checkpoint.id(), CheckpointFailureReason.FINALIZE_CHECKPOINT_FAILURE,
                !checkpoint.isSavepoint() && countFailure(checkpoint.id(), CheckpointFailureReason.FINALIZE_CHECKPOINT_FAILURE));
    }

    /**
     * The checkpoint's metadata is written (K5): it is complete. Older pending checkpoints are
     * subsumed (K6), the failure count resets, and completed checkpoints beyond the retained
     * count are evicted, oldest first. A savepoint belongs to the user: it is not retained here
     * and evicts nothing; only one that stops the job subsumes older pending checkpoints, and
     * pending savepoints are never subsumed.
     */
    public Finalized<H> onFinalized(CompletedCheckpoint<H> checkpoint) {
        if (checkpoint.isSavepoint() && !checkpoint.options().snapshotType().isSynchronous()) {
            return new Finalized<>(checkpoint, List.of(), List.of());
        }
        List<Long> subsumed = new ArrayList<>();
        pending.headMap(checkpoint.id()).forEach((id, older) -> {
            if (!older.barrier().options().snapshotType().isSavepoint()) {
                subsumed.add(id);
            }
        });
        subsumed.forEach(pending::remove);
        if (checkpoint.isSavepoint()) {
            return new Finalized<>(checkpoint, subsumed, List.of());
        }
        lastCompletedId = Math.max(lastCompletedId, checkpoint.id());
        lastCompletionMillis = wallClockMillis.getAsLong();
        consecutiveFailures = 0;
        countedFailures.clear();
        completed.put(checkpoint.id(), checkpoint);
        List<CompletedCheckpoint<H>> evicted = new ArrayList<>();
        while (completed.size() > settings.retained()) {
            evicted.add(completed.pollFirstEntry().getValue());
        }
        return new Finalized<>(checkpoint, subsumed, evicted);
    }

    private Outcome abort(long checkpointId, CheckpointFailureReason reason) {
        PendingCheckpoint<H> aborted = pending.remove(checkpointId);
        if (aborted == null) {
            return new Outcome.Ignored(checkpointId, "not pending (already completed or aborted)");
        }
        if (checkpointId == stoppingWithSavepoint) {
            stoppingWithSavepoint = 0; // the stop failed: the job runs on, and so do its checkpoints
        }
        boolean savepoint = aborted.barrier().options().snapshotType().isSavepoint();
        // A failed savepoint is the user's to retry; it does not count toward failing the job.
        return new Outcome.Aborted(checkpointId, reason, !savepoint && countFailure(checkpointId, reason));
    }

    /** Counts a failure once per id, only for counted reasons and ids after the last completed one (K8). */
    private boolean countFailure(long checkpointId, CheckpointFailureReason reason) {
        if (reason.isCounted() && checkpointId > lastCompletedId && countedFailures.add(checkpointId)) {
            consecutiveFailures++;
        }
        return consecutiveFailures > settings.tolerableFailures();
    }

    public int pendingCount() {
        return pending.size();
    }

    public Set<Long> pendingIds() {
        return Set.copyOf(pending.keySet());
    }

    /** The completed checkpoints kept, oldest first. */
    public List<CompletedCheckpoint<H>> retained() {
        return List.copyOf(completed.values());
    }

    public Optional<CompletedCheckpoint<H>> latest() {
        return completed.isEmpty() ? Optional.empty() : Optional.of(completed.lastEntry().getValue());
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }
}
