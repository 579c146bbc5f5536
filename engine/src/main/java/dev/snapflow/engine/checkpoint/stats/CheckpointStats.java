package dev.snapflow.engine.checkpoint.stats;

import java.util.List;
import java.util.Optional;

/**
 * What happened to one checkpoint.
 *
 * @param id                 checkpoint id
 * @param status             completed or failed
 * @param savepoint          true for a savepoint (taken on request, into its own directory)
 * @param triggerTimeMillis  the coordinator's wall-clock trigger time
 * @param endToEndMillis     trigger to the last acknowledgement (completed) or to the failure
 * @param stateBytes         state the checkpoint holds, of all subtasks (0 for failed checkpoints), as
 *                           Flink's state size: with incremental keyed state, the shared files it
 *                           refers to included
 * @param writtenBytes       of {@code stateBytes}, what this checkpoint wrote, as Flink's checkpointed size
 * @param persistedInFlightBytes of {@code stateBytes}, the in-flight data an unaligned checkpoint persisted
 * @param unaligned          true if any subtask took it unaligned
 * @param failureReason      why it failed; empty when completed
 * @param subtasks           per-subtask figures of the subtasks that acknowledged
 */
public record CheckpointStats(
        long id,
        Status status,
        boolean savepoint,
        long triggerTimeMillis,
        long endToEndMillis,
        long stateBytes,
        long writtenBytes,
        long persistedInFlightBytes,
        boolean unaligned,
        Optional<String> failureReason,
        List<Subtask> subtasks) {

    /** A checkpoint's final status. */
    public enum Status { COMPLETED, FAILED }

    /**
     * One subtask's part.
     *
     * @param name             "operator (i/p)" of the subtask's chain head
     * @param ackTimeMillis    when its acknowledgement arrived, from the trigger time
     * @param syncMillis       the synchronous part of its snapshot
     * @param asyncMillis      the asynchronous part (writing)
     * @param alignmentMillis  first to last barrier at this subtask
     * @param startDelayMillis trigger to the first barrier's arrival
     * @param stateBytes       state the checkpoint holds for it
     * @param writtenBytes     of {@code stateBytes}, what it wrote for this checkpoint
     */
    public record Subtask(String name, long ackTimeMillis, long syncMillis, long asyncMillis, long alignmentMillis,
                          long startDelayMillis, long stateBytes, long writtenBytes) {
    }

    public CheckpointStats {
        subtasks = List.copyOf(subtasks);
    }

    /** One log line: the figures a person checks first. */
    public String summary() {
        return (savepoint ? "Savepoint " : "Checkpoint ") + id + " " + status + " in " + endToEndMillis + " ms"
                + (status == Status.COMPLETED ? ", " + stateBytes + " bytes of state"
                + (writtenBytes != stateBytes ? " (" + writtenBytes + " written)" : "")
                + (unaligned ? " (unaligned, " + persistedInFlightBytes + " bytes in flight)" : "") + ", " + subtasks.size() + " subtasks"
                + ", max alignment " + subtasks.stream().mapToLong(Subtask::alignmentMillis).max().orElse(0) + " ms"
                : ": " + failureReason.orElse("unknown reason"));
    }
}
