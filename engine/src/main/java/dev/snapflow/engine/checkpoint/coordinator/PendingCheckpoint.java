package dev.snapflow.engine.checkpoint.coordinator;

import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.serialization.event.CheckpointBarrier;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A triggered checkpoint waiting for its acknowledgements. Actor-confined to the coordinator.
 *
 * @param <H> the state handle type a subtask acknowledges with
 */
final class PendingCheckpoint<H> {

    /** The result of one acknowledgement. */
    enum AckResult { SUCCESS, DUPLICATE, UNKNOWN }

    private final CheckpointBarrier barrier;
    private final Set<SubtaskId> notYetAcknowledged;
    private final Map<SubtaskId, Acknowledged<H>> acknowledged = new HashMap<>();

    /** One subtask's part of a checkpoint. */
    record Acknowledged<H>(H state, SubtaskCheckpointMetrics metrics, long ackTimeMillis) {
    }

    PendingCheckpoint(CheckpointBarrier barrier, Set<SubtaskId> subtasks) {
        this.barrier = barrier;
        this.notYetAcknowledged = new HashSet<>(subtasks);
    }

    AckResult acknowledge(SubtaskId subtask, H state, SubtaskCheckpointMetrics metrics, long nowMillis) {
        if (acknowledged.containsKey(subtask)) {
            return AckResult.DUPLICATE;
        }
        if (!notYetAcknowledged.remove(subtask)) {
            return AckResult.UNKNOWN;
        }
        acknowledged.put(subtask, new Acknowledged<>(state, metrics, nowMillis));
        return AckResult.SUCCESS;
    }

    boolean isFullyAcknowledged() {
        return notYetAcknowledged.isEmpty();
    }

    CheckpointBarrier barrier() {
        return barrier;
    }

    long id() {
        return barrier.id();
    }

    Map<SubtaskId, Acknowledged<H>> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    Set<SubtaskId> notYetAcknowledged() {
        return Set.copyOf(notYetAcknowledged);
    }
}
