package dev.snapflow.engine.config;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How a job checkpoints: whether and how often, exactly or at least once, timeout, pause,
 * concurrency, tolerated failures and retained checkpoints. Read from {@code snapflow.checkpoint};
 * every key is described in {@code reference.conf}. Immutable and validated on creation.
 */
public final class CheckpointSettings {

    public static final String CONFIG_PATH = "snapflow.checkpoint";

    /** The guarantee checkpoints give. */
    public enum Mode {
        /** Aligned barriers: state reflects every record exactly once. */
        EXACTLY_ONCE,
        /** Barriers never block: after a restore some records may be counted twice. */
        AT_LEAST_ONCE
    }

    private final Optional<Duration> interval;
    private final Mode mode;
    private final Duration timeout;
    private final Duration minPause;
    private final int maxConcurrent;
    private final int tolerableFailures;
    private final int retained;
    private final boolean checkpointsAfterInputsEnd;
    private final Optional<Path> directory;
    private final boolean unaligned;
    private final boolean incremental;
    private final int incrementalMaxDeltas;
    private final Duration alignedCheckpointTimeout;

    private CheckpointSettings(Optional<Duration> interval, Mode mode, Duration timeout, Duration minPause,
                               int maxConcurrent, int tolerableFailures, int retained, boolean checkpointsAfterInputsEnd,
                               Optional<Path> directory, boolean unaligned,
                               Duration alignedCheckpointTimeout, boolean incremental, int incrementalMaxDeltas) {
        interval.ifPresent(value -> SettingsValidation.requirePositive(CONFIG_PATH, "interval", value));
        SettingsValidation.requirePositive(CONFIG_PATH, "timeout", timeout);
        if (minPause == null || minPause.isNegative()) {
            throw new IllegalArgumentException(CONFIG_PATH + ".min-pause must be >= 0, was " + minPause);
        }
        SettingsValidation.requireAtLeast(CONFIG_PATH, "max-concurrent", maxConcurrent, 1);
        SettingsValidation.requireAtLeast(CONFIG_PATH, "tolerable-failed-checkpoints", tolerableFailures, 0);
        SettingsValidation.requireAtLeast(CONFIG_PATH, "retained", retained, 1);
        this.interval = interval;
        this.mode = Objects.requireNonNull(mode, "mode");
        this.timeout = timeout;
        this.minPause = minPause;
        this.maxConcurrent = maxConcurrent;
        this.tolerableFailures = tolerableFailures;
        this.retained = retained;
        this.checkpointsAfterInputsEnd = checkpointsAfterInputsEnd;
        this.directory = Objects.requireNonNull(directory, "directory");
        if (unaligned && mode != Mode.EXACTLY_ONCE) {
            throw new IllegalArgumentException(CONFIG_PATH + ".unaligned = on needs mode = exactly-once: at-least-once"
                    + " checkpoints never align, so there is nothing to make unaligned");
        }
        if (unaligned && maxConcurrent > 1) {
            // As in Flink: a newer checkpoint's priority barrier would overtake an older one's,
            // a savepoint's above all, which is then aborted or held until it times out.
            throw new IllegalArgumentException(CONFIG_PATH + ".unaligned = on needs max-concurrent = 1, was " + maxConcurrent
                    + ": a newer unaligned checkpoint's barrier overtakes an older checkpoint's or a savepoint's barrier");
        }
        this.unaligned = unaligned;
        SettingsValidation.requireAtLeast(CONFIG_PATH, "incremental-max-deltas", incrementalMaxDeltas, 1);
        this.incremental = incremental;
        this.incrementalMaxDeltas = incrementalMaxDeltas;
        if (alignedCheckpointTimeout == null || alignedCheckpointTimeout.isNegative()) {
            throw new IllegalArgumentException(CONFIG_PATH + ".aligned-checkpoint-timeout must be >= 0, was " + alignedCheckpointTimeout);
        }
        this.alignedCheckpointTimeout = alignedCheckpointTimeout;
    }

    public static CheckpointSettings create(ActorSystem<?> system) {
        return create(system.settings().config());
    }

    /**
     * Reads {@value #CONFIG_PATH} from a full configuration.
     *
     * @throws IllegalArgumentException naming the key, for a missing, mistyped or out-of-range value
     */
    public static CheckpointSettings create(Config config) {
        try {
            Config c = config.getConfig(CONFIG_PATH);
            String intervalText = c.getString("interval").trim();
            Optional<Duration> interval = intervalText.equalsIgnoreCase("off") ? Optional.empty()
                    : Optional.of(c.getDuration("interval"));
            String modeText = c.getString("mode").trim().toUpperCase(Locale.ROOT).replace('-', '_');
            Mode mode;
            try {
                mode = Mode.valueOf(modeText);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(CONFIG_PATH + ".mode must be exactly-once or at-least-once, was '"
                        + c.getString("mode") + "'");
            }
            String directoryText = c.getString("directory").trim();
            Optional<Path> directory = directoryText.isEmpty() ? Optional.empty() : Optional.of(Path.of(directoryText));
            return new CheckpointSettings(interval, mode, c.getDuration("timeout"), c.getDuration("min-pause"),
                    c.getInt("max-concurrent"), c.getInt("tolerable-failed-checkpoints"), c.getInt("retained"),
                    c.getBoolean("checkpoints-after-inputs-end"), directory, c.getBoolean("unaligned"),
                    c.getDuration("aligned-checkpoint-timeout"),
                    c.getBoolean("incremental"), c.getInt("incremental-max-deltas"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("Invalid " + CONFIG_PATH + " settings: " + e.getMessage(), e);
        }
    }

    /** How often checkpoints are triggered; empty: only on request. */
    public Optional<Duration> interval() {
        return interval;
    }

    public Mode mode() {
        return mode;
    }

    /** A checkpoint not complete after this long is aborted as expired. */
    public Duration timeout() {
        return timeout;
    }

    /** The least time between the end of one checkpoint and the start of the next periodic one. */
    public Duration minPause() {
        return minPause;
    }

    /** Checkpoints that may be in progress at once. */
    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** Consecutive counted checkpoint failures the job tolerates; one more fails it. */
    public int tolerableFailures() {
        return tolerableFailures;
    }

    /** Completed checkpoints kept; older ones are deleted as newer ones complete. */
    public int retained() {
        return retained;
    }

    /** Whether an ended input counts as aligned (true) or aborts the pending checkpoint (false). */
    public boolean checkpointsAfterInputsEnd() {
        return checkpointsAfterInputsEnd;
    }

    /** Where checkpoints are written ({@code <directory>/<job-id>/chk-<n>/}); empty: kept in memory. */
    public Optional<Path> directory() {
        return directory;
    }

    public CheckpointSettings withDirectory(Path value) {
        return with(d -> d.directory = Optional.of(value));
    }

    public CheckpointSettings inMemory() {
        return with(d -> d.directory = Optional.empty());
    }

    public CheckpointSettings withInterval(Duration value) {
        return with(d -> d.interval = Optional.of(value));
    }

    public CheckpointSettings withoutInterval() {
        return with(d -> d.interval = Optional.empty());
    }

    public CheckpointSettings withMode(Mode value) {
        return with(d -> d.mode = value);
    }

    public CheckpointSettings withTimeout(Duration value) {
        return with(d -> d.timeout = value);
    }

    public CheckpointSettings withMinPause(Duration value) {
        return with(d -> d.minPause = value);
    }

    public CheckpointSettings withMaxConcurrent(int value) {
        return with(d -> d.maxConcurrent = value);
    }

    public CheckpointSettings withTolerableFailures(int value) {
        return with(d -> d.tolerableFailures = value);
    }

    public CheckpointSettings withRetained(int value) {
        return with(d -> d.retained = value);
    }

    public CheckpointSettings withCheckpointsAfterInputsEnd(boolean value) {
        return with(d -> d.checkpointsAfterInputsEnd = value);
    }

    /** Whether keyed state is checkpointed incrementally (see {@code snapflow.checkpoint.incremental}). */
    public boolean incremental() {
        return incremental;
    }

    public CheckpointSettings withIncremental(boolean value) {
        return with(d -> d.incremental = value);
    }

    /**
     * With {@link #incremental()}, the most checkpoints in a row that write only what changed
     * before one writes the whole state again.
     */
    public int incrementalMaxDeltas() {
        return incrementalMaxDeltas;
    }

    public CheckpointSettings withIncrementalMaxDeltas(int value) {
        return with(d -> d.incrementalMaxDeltas = value);
    }

    /**
     * Whether checkpoints are unaligned: a barrier overtakes the data queued before it, each
     * subtask snapshots on the first barrier, and the overtaken data becomes part of the checkpoint.
     * Savepoints stay aligned.
     */
    public boolean unaligned() {
        return unaligned;
    }

    public CheckpointSettings withUnaligned(boolean value) {
        return with(d -> d.unaligned = value);
    }

    /**
     * With {@link #unaligned()}: zero (the default) makes every checkpoint unaligned from the
     * start; a positive timeout makes checkpoints start aligned and switch to unaligned once this
     * long has passed since the coordinator triggered them (Flink's aligned-checkpoint timeout).
     * Ignored without unaligned checkpoints.
     */
    public Duration alignedCheckpointTimeout() {
        return alignedCheckpointTimeout;
    }

    public CheckpointSettings withAlignedCheckpointTimeout(Duration value) {
        return with(d -> d.alignedCheckpointTimeout = value);
    }

    /** The settings' values, mutable, so that each {@code with...} changes one and the constructor checks them all anew. */
    private static final class Draft {
        Optional<Duration> interval;
        Mode mode;
        Duration timeout;
        Duration minPause;
        int maxConcurrent;
        int tolerableFailures;
        int retained;
        boolean checkpointsAfterInputsEnd;
        Optional<Path> directory;
        boolean unaligned;
        boolean incremental;
        int incrementalMaxDeltas;
        Duration alignedCheckpointTimeout;

        Draft(CheckpointSettings settings) {
            interval = settings.interval;
            mode = settings.mode;
            timeout = settings.timeout;
            minPause = settings.minPause;
            maxConcurrent = settings.maxConcurrent;
            tolerableFailures = settings.tolerableFailures;
            retained = settings.retained;
            checkpointsAfterInputsEnd = settings.checkpointsAfterInputsEnd;
            directory = settings.directory;
            unaligned = settings.unaligned;
            incremental = settings.incremental;
            incrementalMaxDeltas = settings.incrementalMaxDeltas;
            alignedCheckpointTimeout = settings.alignedCheckpointTimeout;
        }

        CheckpointSettings build() {
            return new CheckpointSettings(interval, mode, timeout, minPause, maxConcurrent, tolerableFailures, retained,
                    checkpointsAfterInputsEnd, directory, unaligned, alignedCheckpointTimeout,
                    incremental, incrementalMaxDeltas);
        }
    }

    private CheckpointSettings with(java.util.function.Consumer<Draft> change) {
        Draft draft = new Draft(this);
        change.accept(draft);
        return draft.build();
    }

    @Override
    public String toString() {
        return "CheckpointSettings(interval=" + interval.map(Duration::toString).orElse("off") + ", mode=" + mode
                + ", timeout=" + timeout + ", minPause=" + minPause + ", maxConcurrent=" + maxConcurrent
                + ", tolerableFailures=" + tolerableFailures + ", retained=" + retained
                + ", checkpointsAfterInputsEnd=" + checkpointsAfterInputsEnd
                + ", directory=" + directory.map(Path::toString).orElse("(memory)")
                + ", unaligned=" + unaligned + ", incremental=" + incremental + ", incrementalMaxDeltas=" + incrementalMaxDeltas
                + ", alignedCheckpointTimeout=" + alignedCheckpointTimeout + ")";
    }
}
