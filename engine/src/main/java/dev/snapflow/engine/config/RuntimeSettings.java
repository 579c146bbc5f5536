package dev.snapflow.engine.config;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.time.Duration;
import java.util.Objects;

/**
 * How jobs move records: batch size, flush timeout, channel capacity and credits, where
 * subtasks run, and what a job does when it fails. Read from {@code snapflow.runtime} and
 * {@code snapflow.restart}; every key is described in {@code reference.conf}.
 * Immutable and validated on creation.
 */
public final class RuntimeSettings {

    public static final String CONFIG_PATH = "snapflow.runtime";

    private final int bufferRecords;
    private final Duration flushTimeout;
    private final int channelCapacity;
    private final int creditsPerChannel;
    private final int floatingCreditsPerGate;
    private final int recordsPerTurn;
    private final Duration idleSourcePollInterval;
    private final String subtaskDispatcher;
    private final RestartStrategy restartStrategy;
    private final int bufferRecordsAcrossNodes;

    private RuntimeSettings(int bufferRecords, Duration flushTimeout, int channelCapacity, int creditsPerChannel,
                            int floatingCreditsPerGate, int recordsPerTurn, Duration idleSourcePollInterval,
                            String subtaskDispatcher, RestartStrategy restartStrategy, int bufferRecordsAcrossNodes) {
        SettingsValidation.requireAtLeast(CONFIG_PATH, "buffer-records", bufferRecords, 1);
        SettingsValidation.requireAtLeast(CONFIG_PATH, "buffer-records-across-nodes", bufferRecordsAcrossNodes, 1);
        SettingsValidation.requirePositive(CONFIG_PATH, "flush-timeout", flushTimeout);
        SettingsValidation.requireAtLeast(CONFIG_PATH, "channel-capacity", channelCapacity, 1);
        SettingsValidation.requireAtLeast(CONFIG_PATH, "credits-per-channel", creditsPerChannel, 1);
        SettingsValidation.requireAtLeast(CONFIG_PATH, "floating-credits-per-gate", floatingCreditsPerGate, 0);
        SettingsValidation.requireAtLeast(CONFIG_PATH, "records-per-turn", recordsPerTurn, 1);
        SettingsValidation.requirePositive(CONFIG_PATH, "idle-source-poll-interval", idleSourcePollInterval);
        this.bufferRecords = bufferRecords;
        this.flushTimeout = flushTimeout;
        this.channelCapacity = channelCapacity;
        this.creditsPerChannel = creditsPerChannel;
        this.floatingCreditsPerGate = floatingCreditsPerGate;
        this.recordsPerTurn = recordsPerTurn;
        this.idleSourcePollInterval = idleSourcePollInterval;
        this.subtaskDispatcher = Objects.requireNonNull(subtaskDispatcher, "subtaskDispatcher");
        this.restartStrategy = Objects.requireNonNull(restartStrategy, "restartStrategy");
        this.bufferRecordsAcrossNodes = bufferRecordsAcrossNodes;
    }

    public static RuntimeSettings create(ActorSystem<?> system) {
        return create(system.settings().config());
    }

    /**
     * Reads {@value #CONFIG_PATH} from a full configuration.
     *
     * @throws IllegalArgumentException naming the key, for a missing, mistyped or out-of-range value
     */
    public static RuntimeSettings create(Config config) {
        try {
            Config c = config.getConfig(CONFIG_PATH);
            return new RuntimeSettings(
                    c.getInt("buffer-records"),
                    c.getDuration("flush-timeout"),
                    c.getInt("channel-capacity"),
                    c.getInt("credits-per-channel"),
                    c.getInt("floating-credits-per-gate"),
                    c.getInt("records-per-turn"),
                    c.getDuration("idle-source-poll-interval"),
                    c.getString("subtask-dispatcher"),
                    RestartStrategy.create(config),
                    c.getInt("buffer-records-across-nodes"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("Invalid " + CONFIG_PATH + " settings: " + e.getMessage(), e);
        }
    }

    /** Records per batch before a batch is sent. */
    public int bufferRecords() {
        return bufferRecords;
    }

    /** The longest a partial batch waits before it is sent anyway. */
    public Duration flushTimeout() {
        return flushTimeout;
    }

    /** Batches one channel may hold: the producer waits when it is full. */
    public int channelCapacity() {
        return channelCapacity;
    }

    /** Credits every input channel always has: batches a consumer may hold per channel. */
    public int creditsPerChannel() {
        return creditsPerChannel;
    }

    /** Extra credits a consumer lends to channels with a backlog. */
    public int floatingCreditsPerGate() {
        return floatingCreditsPerGate;
    }

    /** Records a subtask handles before it lets other messages in. */
    public int recordsPerTurn() {
        return recordsPerTurn;
    }

    /** How long a source that has nothing to read waits before it asks again. */
    public Duration idleSourcePollInterval() {
        return idleSourcePollInterval;
    }

    /** The dispatcher subtasks run on; empty for the actor system's default dispatcher. */
    public String subtaskDispatcher() {
        return subtaskDispatcher;
    }

    public RuntimeSettings withBufferRecords(int value) {
        return new RuntimeSettings(value, flushTimeout, channelCapacity, creditsPerChannel, floatingCreditsPerGate,
                recordsPerTurn, idleSourcePollInterval, subtaskDispatcher, restartStrategy, bufferRecordsAcrossNodes);
    }

    public RuntimeSettings withFlushTimeout(Duration value) {
        return new RuntimeSettings(bufferRecords, value, channelCapacity, creditsPerChannel, floatingCreditsPerGate,
                recordsPerTurn, idleSourcePollInterval, subtaskDispatcher, restartStrategy, bufferRecordsAcrossNodes);
    }

    public RuntimeSettings withChannelCapacity(int value) {
        return new RuntimeSettings(bufferRecords, flushTimeout, value, creditsPerChannel, floatingCreditsPerGate,
                recordsPerTurn, idleSourcePollInterval, subtaskDispatcher, restartStrategy, bufferRecordsAcrossNodes);
    }

    public RuntimeSettings withCreditsPerChannel(int value) {
        return new RuntimeSettings(bufferRecords, flushTimeout, channelCapacity, value, floatingCreditsPerGate,
                recordsPerTurn, idleSourcePollInterval, subtaskDispatcher, restartStrategy, bufferRecordsAcrossNodes);
    }

    public RuntimeSettings withFloatingCreditsPerGate(int value) {
        return new RuntimeSettings(bufferRecords, flushTimeout, channelCapacity, creditsPerChannel, value,
                recordsPerTurn, idleSourcePollInterval, subtaskDispatcher, restartStrategy, bufferRecordsAcrossNodes);
    }

    public RuntimeSettings withRecordsPerTurn(int value) {
        return new RuntimeSettings(bufferRecords, flushTimeout, channelCapacity, creditsPerChannel, floatingCreditsPerGate,
                value, idleSourcePollInterval, subtaskDispatcher, restartStrategy, bufferRecordsAcrossNodes);
    }

    public RuntimeSettings withIdleSourcePollInterval(Duration value) {
        return new RuntimeSettings(bufferRecords, flushTimeout, channelCapacity, creditsPerChannel, floatingCreditsPerGate,
                recordsPerTurn, value, subtaskDispatcher, restartStrategy, bufferRecordsAcrossNodes);
    }

    /** The props subtask actors are spawned with: on the configured dispatcher, or the system's default. */
    public akka.actor.typed.Props subtaskProps() {
        return subtaskDispatcher.isEmpty() ? akka.actor.typed.Props.empty()
                : akka.actor.typed.DispatcherSelector.fromConfig(subtaskDispatcher);
    }

    public RuntimeSettings withSubtaskDispatcher(String value) {
        return new RuntimeSettings(bufferRecords, flushTimeout, channelCapacity, creditsPerChannel, floatingCreditsPerGate,
                recordsPerTurn, idleSourcePollInterval, value, restartStrategy, bufferRecordsAcrossNodes);
    }

    /**
     * Records per batch on a channel whose consumer runs on another cluster member: larger batches
     * cost fewer messages per record across the network.
     */
    public int bufferRecordsAcrossNodes() {
        return bufferRecordsAcrossNodes;
    }

    public RuntimeSettings withBufferRecordsAcrossNodes(int value) {
        return new RuntimeSettings(bufferRecords, flushTimeout, channelCapacity, creditsPerChannel, floatingCreditsPerGate,
                recordsPerTurn, idleSourcePollInterval, subtaskDispatcher, restartStrategy, value);
    }

    /** What the job does when an attempt fails; read from {@value RestartStrategy#CONFIG_PATH}. */
    public RestartStrategy restartStrategy() {
        return restartStrategy;
    }

    public RuntimeSettings withRestartStrategy(RestartStrategy value) {
        return new RuntimeSettings(bufferRecords, flushTimeout, channelCapacity, creditsPerChannel, floatingCreditsPerGate,
                recordsPerTurn, idleSourcePollInterval, subtaskDispatcher, value, bufferRecordsAcrossNodes);
    }

    @Override
    public String toString() {
        return "RuntimeSettings(bufferRecords=" + bufferRecords + ", flushTimeout=" + flushTimeout
                + ", channelCapacity=" + channelCapacity + ", creditsPerChannel=" + creditsPerChannel
                + ", floatingCreditsPerGate=" + floatingCreditsPerGate + ", recordsPerTurn=" + recordsPerTurn
                + ", idleSourcePollInterval=" + idleSourcePollInterval + ", subtaskDispatcher='" + subtaskDispatcher
                + "', restartStrategy=" + restartStrategy + ", bufferRecordsAcrossNodes=" + bufferRecordsAcrossNodes + ")";
    }
}
