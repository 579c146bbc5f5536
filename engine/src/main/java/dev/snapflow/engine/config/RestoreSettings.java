package dev.snapflow.engine.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a job starts from and how strictly its state must fit.
 *
 * <pre>{@code
 * RestoreSettings.from(savepointDirectory).allowingNonRestoredState()
 * }</pre>
 *
 * @param path                   a savepoint's directory, one retained checkpoint's {@code chk-<n>}
 *                               directory, or the checkpoint directory of an earlier run
 *                               ({@code <directory>/<job-id>}), whose newest intact checkpoint is restored
 * @param allowNonRestoredState  whether state of operators the new job no longer has is dropped
 *                               (true) or makes the restore fail (false, the default), as in
 *                               Flink's {@code --allowNonRestoredState}
 */
public record RestoreSettings(Path path, boolean allowNonRestoredState) {

    public RestoreSettings {
        Objects.requireNonNull(path, "path");
    }

    /** Restores all of the state of the savepoint or checkpoint at {@code path} (see {@link #path()}). */
    public static RestoreSettings from(Path path) {
        return new RestoreSettings(path, false);
    }

    /** The same, but state of operators the job no longer has is dropped instead of refused. */
    public RestoreSettings allowingNonRestoredState() {
        return new RestoreSettings(path, true);
    }
}
