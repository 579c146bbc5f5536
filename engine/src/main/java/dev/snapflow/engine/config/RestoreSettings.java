package dev.snapflow.engine.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a job starts from and how strictly its state must fit.
 *
 * <pre>{@code
 * RestoreSettings.from(checkpoints.resolve(earlierRun.jobId())).allowingNonRestoredState()
 * }</pre>
 *
 * @param checkpointDirectory    the directory of an earlier run, {@code <directory>/<job-id>};
 *                               its newest intact checkpoint is restored
 * @param allowNonRestoredState  whether state of operators the new job no longer has is dropped
 *                               (true) or makes the restore fail (false, the default), as in
 *                               Flink's {@code --allowNonRestoredState}
 */
public record RestoreSettings(Path checkpointDirectory, boolean allowNonRestoredState) {

    public RestoreSettings {
        Objects.requireNonNull(checkpointDirectory, "checkpointDirectory");
    }

    /** Restores the newest intact checkpoint under {@code checkpointDirectory}, all of its state. */
    public static RestoreSettings from(Path checkpointDirectory) {
        return new RestoreSettings(checkpointDirectory, false);
    }

    /** The same, but state of operators the job no longer has is dropped instead of refused. */
    public RestoreSettings allowingNonRestoredState() {
        return new RestoreSettings(checkpointDirectory, true);
    }
}
