package dev.snapflow.serialization.event;

import java.util.Objects;

/**
 * The marker that divides a stream into the records before and after checkpoint {@code id}.
 * Source subtasks inject it when the coordinator triggers the checkpoint; every subtask forwards
 * it after taking its snapshot.
 *
 * @param id        checkpoint id, {@code >= 0}, increasing per job
 * @param timestamp the coordinator's wall-clock trigger time in epoch milliseconds; the
 *                  aligned-checkpoint timeout is measured from it
 * @param options   how to take the snapshot
 */
public record CheckpointBarrier(long id, long timestamp, CheckpointOptions options) implements Event {
    public CheckpointBarrier {
        if (id < 0) {
            throw new IllegalArgumentException("Checkpoint id must be >= 0, was " + id);
        }
        Objects.requireNonNull(options, "options");
    }

    /** This barrier with other options, for example after an alignment timeout. */
    public CheckpointBarrier withOptions(CheckpointOptions newOptions) {
        return new CheckpointBarrier(id, timestamp, newOptions);
    }
}
