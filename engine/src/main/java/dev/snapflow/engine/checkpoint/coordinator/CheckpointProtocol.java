package dev.snapflow.engine.checkpoint.coordinator;

import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.serialization.akka.CborSerializable;
import dev.snapflow.serialization.event.CheckpointBarrier;

import java.util.Objects;

/**
 * The messages between the checkpoint coordinator and the rest of a job, declared in the
 * checkpoint layer so that subtasks and the job master depend on it, never the other way round.
 * Subtasks accept {@link SubtaskCheckpointCommand}s through a message adapter; the job master
 * receives {@link CoordinatorEvent}s.
 */
public final class CheckpointProtocol {

    private CheckpointProtocol() {
    }

    /**
     * What the coordinator tells a subtask, which may be on another node: a trigger crosses in the
     * runtime's binary format (the barrier as Flink's event bytes), notifications as CBOR.
     */
    public sealed interface SubtaskCheckpointCommand
            permits TriggerCheckpoint, NotifyCheckpointComplete, NotifyCheckpointAborted {
    }

    /**
     * Coordinator → source subtask (or a finished subtask): take your part of checkpoint
     * {@code barrier.id()} now; a running source then sends the barrier downstream on every output.
     * The subtask acknowledges or declines it to the coordinator.
     */
    public record TriggerCheckpoint(CheckpointBarrier barrier) implements SubtaskCheckpointCommand {
        public TriggerCheckpoint {
            Objects.requireNonNull(barrier, "barrier");
        }
    }

    /** Coordinator → every subtask: the checkpoint completed; side effects waiting for it may happen. */
    public record NotifyCheckpointComplete(long checkpointId) implements SubtaskCheckpointCommand, CborSerializable {
    }

    /** Coordinator → every subtask: the checkpoint was aborted; drop anything of it. */
    public record NotifyCheckpointAborted(long checkpointId) implements SubtaskCheckpointCommand, CborSerializable {
    }

    /** What the coordinator tells the job master. */
    public sealed interface CoordinatorEvent permits CheckpointFinished, FailJob, StoppedWithSavepoint {
    }

    /**
     * The savepoint that stops the job completed (rule K12): should the job fail before it has
     * ended, it restarts from this savepoint, with its sources stopped, not from an older checkpoint.
     */
    public record StoppedWithSavepoint(long checkpointId, java.nio.file.Path directory) implements CoordinatorEvent {
    }

    /** A checkpoint completed or failed; its statistics. */
    public record CheckpointFinished(CheckpointStats stats) implements CoordinatorEvent {
    }

    /** Checkpoint failures exceeded the tolerable count: the job must fail. */
    public record FailJob(long checkpointId, CheckpointFailureReason reason, String message) implements CoordinatorEvent {
    }
}
