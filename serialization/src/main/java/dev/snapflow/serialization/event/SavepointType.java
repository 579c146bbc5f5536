package dev.snapflow.serialization.event;

import java.util.Objects;

/**
 * A savepoint, with what happens to the job after it and the format it is written in.
 *
 * @param postAction what the job does once the savepoint completes
 * @param format     how the state is stored
 */
public record SavepointType(PostAction postAction, SavepointFormatType format) implements SnapshotType {

    /** What a job does after a savepoint. */
    public enum PostAction {
        /** Keep running (a plain savepoint). */
        NONE,
        /** Stop-with-savepoint without draining: sources stop, the job can resume from it. */
        SUSPEND,
        /** Stop-with-savepoint with drain: the job finishes completely. */
        TERMINATE
    }

    public SavepointType {
        Objects.requireNonNull(postAction, "postAction");
        Objects.requireNonNull(format, "format");
    }

    public static SavepointType savepoint(SavepointFormatType format) {
        return new SavepointType(PostAction.NONE, format);
    }

    public static SavepointType suspend(SavepointFormatType format) {
        return new SavepointType(PostAction.SUSPEND, format);
    }

    public static SavepointType terminate(SavepointFormatType format) {
        return new SavepointType(PostAction.TERMINATE, format);
    }

    @Override
    public boolean isSavepoint() {
        return true;
    }

    @Override
    public boolean isSynchronous() {
        return postAction != PostAction.NONE;
    }
}
