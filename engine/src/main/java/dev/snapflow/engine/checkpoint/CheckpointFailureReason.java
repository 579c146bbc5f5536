package dev.snapflow.engine.checkpoint;

/**
 * Why a checkpoint did not complete, with Flink's names. Only some reasons count toward the
 * tolerable-failed-checkpoints limit: those that say the job cannot checkpoint, not those that
 * say a newer checkpoint or the end of the input made this one moot.
 */
public enum CheckpointFailureReason {
    /** A problem on the coordinator while triggering. */
    IO_EXCEPTION(true),
    /** Writing a subtask's snapshot failed. */
    CHECKPOINT_ASYNC_EXCEPTION(true),
    /** The checkpoint outlived its timeout. */
    CHECKPOINT_EXPIRED(true),
    /** A subtask declined it for a reason of its own. */
    CHECKPOINT_DECLINED(true),
    /** A subtask could not take it because it was not running yet or any more. */
    CHECKPOINT_DECLINED_TASK_NOT_READY(false),
    /** A newer checkpoint completed first. */
    CHECKPOINT_SUBSUMED(false),
    /** A subtask saw a newer checkpoint's barrier while aligning this one. */
    CHECKPOINT_DECLINED_SUBSUMED(false),
    /** A subtask received a cancellation marker for it. */
    CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER(false),
    /** An input ended during alignment (with checkpoints after finished inputs disabled). */
    CHECKPOINT_DECLINED_INPUT_END_OF_STREAM(false),
    /** The coordinator shut down. */
    CHECKPOINT_COORDINATOR_SHUTDOWN(false),
    /**
     * The coordinator had aborted the checkpoint before this subtask took it (rule B11): the
     * subtask gives it up without declining, as the coordinator knows already.
     */
    CHECKPOINT_ABORTED_BY_COORDINATOR(false),
    /** Writing the checkpoint's metadata failed. */
    FINALIZE_CHECKPOINT_FAILURE(true);

    private final boolean counted;

    CheckpointFailureReason(boolean counted) {
        this.counted = counted;
    }

    /** True if this failure counts toward the tolerable failure limit. */
    public boolean isCounted() {
        return counted;
    }
}
