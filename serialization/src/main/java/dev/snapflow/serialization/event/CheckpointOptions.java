package dev.snapflow.serialization.event;

import java.util.Objects;

/**
 * The options a checkpoint barrier carries: the snapshot type, where to write, how to align and,
 * for an aligned checkpoint that may turn unaligned, the aligned-checkpoint timeout.
 *
 * <p>Invariants, checked when options are built and therefore also when they are decoded:
 * <ul>
 *   <li>a savepoint is never {@link AlignmentType#UNALIGNED} and has no timeout;</li>
 *   <li>an {@link AlignmentType#UNALIGNED} or {@link AlignmentType#AT_LEAST_ONCE} checkpoint has
 *       no timeout;</li>
 *   <li>the timeout is {@code >= 0}; {@link #NO_ALIGNED_CHECKPOINT_TIMEOUT} means none.</li>
 * </ul>
 *
 * @param snapshotType             checkpoint or savepoint
 * @param targetLocation           where subtasks write their state
 * @param alignment                how consumers align on the barrier
 * @param alignedCheckpointTimeout milliseconds, measured from the barrier's timestamp, after which
 *                                 an aligned checkpoint switches to unaligned; {@code Long.MAX_VALUE}
 *                                 for never
 */
public record CheckpointOptions(
        SnapshotType snapshotType,
        CheckpointStorageLocationReference targetLocation,
        AlignmentType alignment,
        long alignedCheckpointTimeout) {

    /** Timeout value meaning "never switch to unaligned". */
    public static final long NO_ALIGNED_CHECKPOINT_TIMEOUT = Long.MAX_VALUE;

    public CheckpointOptions {
        Objects.requireNonNull(snapshotType, "snapshotType");
        Objects.requireNonNull(targetLocation, "targetLocation");
        Objects.requireNonNull(alignment, "alignment");
        if (alignedCheckpointTimeout < 0) {
            throw new IllegalArgumentException(
                    "The aligned-checkpoint timeout must be >= 0 ms, was " + alignedCheckpointTimeout);
        }
        if (snapshotType.isSavepoint() && alignment == AlignmentType.UNALIGNED) {
            throw new IllegalArgumentException("A savepoint cannot be unaligned");
        }
        if (snapshotType.isSavepoint() && alignedCheckpointTimeout != NO_ALIGNED_CHECKPOINT_TIMEOUT) {
            throw new IllegalArgumentException("A savepoint cannot have an aligned-checkpoint timeout ("
                    + alignedCheckpointTimeout + " ms)");
        }
        if ((alignment == AlignmentType.UNALIGNED || alignment == AlignmentType.AT_LEAST_ONCE)
                && alignedCheckpointTimeout != NO_ALIGNED_CHECKPOINT_TIMEOUT) {
            throw new IllegalArgumentException("An " + alignment + " checkpoint cannot have an aligned-checkpoint timeout ("
                    + alignedCheckpointTimeout + " ms)");
        }
    }

    /** A plain aligned checkpoint to the default location: what most tests and jobs use. */
    public static CheckpointOptions forCheckpointWithDefaultLocation() {
        return aligned(CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.DEFAULT);
    }

    /** Exactly-once, aligned, never switching to unaligned. */
    public static CheckpointOptions aligned(SnapshotType type, CheckpointStorageLocationReference location) {
        return new CheckpointOptions(type, location, AlignmentType.ALIGNED, NO_ALIGNED_CHECKPOINT_TIMEOUT);
    }

    /** Exactly-once, aligned, switching to unaligned after {@code timeoutMillis}. */
    public static CheckpointOptions alignedWithTimeout(
            SnapshotType type, CheckpointStorageLocationReference location, long timeoutMillis) {
        return new CheckpointOptions(type, location, AlignmentType.ALIGNED, timeoutMillis);
    }

    /** Exactly-once and unaligned; savepoints are refused. */
    public static CheckpointOptions unaligned(SnapshotType type, CheckpointStorageLocationReference location) {
        return new CheckpointOptions(type, location, AlignmentType.UNALIGNED, NO_ALIGNED_CHECKPOINT_TIMEOUT);
    }

    /** At-least-once: consumers never block. */
    public static CheckpointOptions atLeastOnce(SnapshotType type, CheckpointStorageLocationReference location) {
        return new CheckpointOptions(type, location, AlignmentType.AT_LEAST_ONCE, NO_ALIGNED_CHECKPOINT_TIMEOUT);
    }

    /**
     * The options a job's checkpoint settings imply, by Flink's rules: at-least-once unless
     * exactly-once; savepoints and jobs without unaligned checkpoints are aligned with no
     * timeout; a timeout of 0 or {@link #NO_ALIGNED_CHECKPOINT_TIMEOUT} means always unaligned;
     * any other timeout gives an aligned checkpoint that turns unaligned after it.
     */
    public static CheckpointOptions forConfig(
            SnapshotType type,
            CheckpointStorageLocationReference location,
            boolean exactlyOnce,
            boolean unalignedEnabled,
            long alignedCheckpointTimeoutMillis) {
        if (!exactlyOnce) {
            return atLeastOnce(type, location);
        }
        if (type.isSavepoint() || !unalignedEnabled) {
            return aligned(type, location);
        }
        if (alignedCheckpointTimeoutMillis == 0 || alignedCheckpointTimeoutMillis == NO_ALIGNED_CHECKPOINT_TIMEOUT) {
            return unaligned(type, location);
        }
        return alignedWithTimeout(type, location, alignedCheckpointTimeoutMillis);
    }

    public boolean isExactlyOnce() {
        return alignment != AlignmentType.AT_LEAST_ONCE;
    }

    public boolean isUnaligned() {
        return alignment == AlignmentType.UNALIGNED;
    }

    /** True for an aligned checkpoint that switches to unaligned after a finite, positive timeout. */
    public boolean isTimeoutable() {
        return alignment == AlignmentType.ALIGNED
                && alignedCheckpointTimeout > 0
                && alignedCheckpointTimeout != NO_ALIGNED_CHECKPOINT_TIMEOUT;
    }

    /** True if consumers must block channels on this barrier. */
    public boolean needsAlignment() {
        return isExactlyOnce() && (snapshotType.isSavepoint() || !isUnaligned());
    }

    /** True if in-flight data may become part of this checkpoint. */
    public boolean needsChannelState() {
        return isUnaligned() || isTimeoutable();
    }

    /** The same options made unaligned; only an aligned checkpoint can switch. */
    public CheckpointOptions toUnaligned() {
        if (alignment != AlignmentType.ALIGNED) {
            throw new IllegalStateException("Only an aligned checkpoint can switch to unaligned, this one is " + alignment);
        }
        return unaligned(snapshotType, targetLocation);
    }

    /**
     * For an edge that cannot carry in-flight data: an unaligned or timeoutable barrier becomes
     * {@link AlignmentType#FORCED_ALIGNED}, keeping its timeout so that it can be restored.
     */
    public CheckpointOptions withUnalignedUnsupported() {
        if (isUnaligned() || isTimeoutable()) {
            return new CheckpointOptions(snapshotType, targetLocation, AlignmentType.FORCED_ALIGNED, alignedCheckpointTimeout);
        }
        return this;
    }

    /** Undoes {@link #withUnalignedUnsupported()} once the barrier is past the restricted edge. */
    public CheckpointOptions withUnalignedSupported() {
        if (alignment != AlignmentType.FORCED_ALIGNED) {
            return this;
        }
        return alignedCheckpointTimeout == NO_ALIGNED_CHECKPOINT_TIMEOUT
                ? unaligned(snapshotType, targetLocation)
                : alignedWithTimeout(snapshotType, targetLocation, alignedCheckpointTimeout);
    }
}
