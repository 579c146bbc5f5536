package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.engine.api.CheckpointedFunction;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.state.HeapKeyedStateBackend;
import dev.snapflow.serialization.record.ValueCodec;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.engine.storage.CheckpointMetadata;
import dev.snapflow.engine.storage.InMemoryCheckpointStorage;
import dev.snapflow.engine.storage.StateHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The global consistency check: in every completed checkpoint of a keyed running-count job, the
 * counts in the operator state add up to the number of records the sources had emitted at their
 * snapshot (the sum of their positions). Exactly once: equal. At least once: never less.
 */
class CheckpointConsistencyTest {

    private static final String COUNT = "count";
    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    /** Counts records per key; its snapshot is the number of keys followed by (key, count) pairs. */
    static final class RunningCount extends RunningCountBase {
    }

    /** The counting function, open for tests that add an end-of-input report. */
    abstract static class RunningCountBase implements KeyedProcessFunction<Long, Long, Long>, CheckpointedFunction {
        private final Map<Long, Long> counts = new HashMap<>();

        @Override
        public void processElement(Long value, Context<Long> context, Collector<Long> out) {
            long count = counts.merge(context.currentKey(), 1L, Long::sum);
            if (count % 10_000 == 0) {
                out.collect(count);
            }
        }

        @Override
        public void restoreState(byte[] snapshot) {
            ByteBuffer in = ByteBuffer.wrap(snapshot);
            for (int entries = in.getInt(); entries > 0; entries--) {
                counts.put(in.getLong(), in.getLong());
            }
        }

        Map<Long, Long> counts() {
            return counts;
        }

        @Override
        public byte[] snapshotState(long checkpointId) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(counts.size());
            for (Map.Entry<Long, Long> entry : counts.entrySet()) {
                out.writeLong(entry.getKey());
                out.writeLong(entry.getValue());
            }
            return bytes.toByteArray();
        }
    }

    private static final StateDescriptor.Value<Long> COUNT_STATE = new StateDescriptor.Value<>("count", RecordSerializers.longs());

    /** Counts records per key in keyed value state. */
    static final class KeyedCount implements KeyedProcessFunction<Long, Long, Long> {
        private ValueState<Long> count;

        @Override
        public void processElement(Long value, Context<Long> context, Collector<Long> out) {
            if (count == null) {
                count = context.keyedState().state(COUNT_STATE);
            }
            Long current = count.value();
            count.update(current == null ? 1 : current + 1);
        }
    }

    private static final StateDescriptor.List<Long> SEEN = new StateDescriptor.List<>("seen", RecordSerializers.longs());

    /** Counts every record it sees in one element of operator list state. */
    static final class OperatorCount implements dev.snapflow.engine.api.ProcessFunction<Long, Long> {
        private long seen;

        @Override
        public void processElement(Long value, Context context, Collector<Long> out) {
            context.operatorState().listState(SEEN).update(java.util.List.of(++seen));
        }
    }

    @org.junit.jupiter.api.Test
    void when_operator_list_state_is_checkpointed_then_it_sums_to_the_source_positions() throws Exception {
        InMemoryCheckpointStorage storage = new InMemoryCheckpointStorage();
        JobBuilder job = JobBuilder.create("operator-count").defaultParallelism(2);
        job.source("numbers", Sources.generator(Long.MAX_VALUE, i -> i))
                .rebalance().process("seen", OperatorCount::new)
                .sink("out", Sinks.discard());
        JobHandle handle = Snapflow.submit(testKit.system(), job.build(), RuntimeSettings.create(testKit.system()),
                CheckpointSettings.create(testKit.system()).withoutInterval().withRetained(100), storage);
        for (int i = 0; i < 3; i++) {
            handle.triggerCheckpoint(Duration.ofSeconds(30)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        handle.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);

        for (long id : storage.completedCheckpointIds()) {
            long emitted = 0;
            long seen = 0;
            for (StateHandle subtask : storage.readMetadata(id).orElseThrow().states().values()) {
                SubtaskState state = storage.readState(subtask);
                emitted += state.operatorState("numbers").map(bytes -> ByteBuffer.wrap(bytes).getLong()).orElse(0L);
                Optional<byte[]> operator = state.operatorState("seen/operator");
                if (operator.isPresent()) {
                    seen += dev.snapflow.engine.state.OperatorStateBackend.read(operator.get(), Map.of("seen", SEEN))
                            .get("seen").stream().mapToLong(v -> (Long) v).sum();
                }
            }
            assertThat(seen).as("checkpoint %d", id).isEqualTo(emitted);
        }
        assertThat(storage.completedCheckpointIds()).hasSize(3);
    }

    private static long countedRecords(byte[] snapshot) {
        ByteBuffer in = ByteBuffer.wrap(snapshot);
        long total = 0;
        for (int entries = in.getInt(); entries > 0; entries--) {
            in.getLong();
            total += in.getLong();
        }
        return total;
    }

    @ParameterizedTest(name = "keyed state, parallelism {0}, {1}")
    @CsvSource({"1, EXACTLY_ONCE", "2, EXACTLY_ONCE", "4, EXACTLY_ONCE", "1, AT_LEAST_ONCE", "2, AT_LEAST_ONCE", "4, AT_LEAST_ONCE"})
    void when_keyed_value_state_is_checkpointed_then_it_sums_to_the_source_positions(
            int parallelism, CheckpointSettings.Mode mode) throws Exception {
        InMemoryCheckpointStorage storage = new InMemoryCheckpointStorage();
        JobBuilder job = JobBuilder.create("keyed-count").defaultParallelism(parallelism);
        job.source("numbers", Sources.generator(Long.MAX_VALUE, i -> i))
                .keyBy(value -> value % 1000)
                .process(COUNT, KeyedCount::new)
                .sink("out", Sinks.discard());
        JobHandle handle = Snapflow.submit(testKit.system(), job.build(),
                RuntimeSettings.create(testKit.system()).withBufferRecords(256),
                CheckpointSettings.create(testKit.system()).withoutInterval().withMode(mode).withRetained(1_000), storage);
        for (int i = 0; i < 4; i++) {
            handle.triggerCheckpoint(Duration.ofSeconds(30)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        handle.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(storage.completedCheckpointIds()).hasSize(4);
        for (long id : storage.completedCheckpointIds()) {
            long emitted = 0;
            long counted = 0;
            for (StateHandle subtask : storage.readMetadata(id).orElseThrow().states().values()) {
                SubtaskState state = storage.readState(subtask);
                emitted += state.operatorState("numbers").map(bytes -> ByteBuffer.wrap(bytes).getLong()).orElse(0L);
                Optional<byte[]> keyed = state.operatorState(COUNT + "/keyed");
                if (keyed.isPresent()) {
                    counted += HeapKeyedStateBackend.read(keyed.get(), Map.of("count", COUNT_STATE), ValueCodec.builtInTypesOnly()).get("count")
                            .values().stream().mapToLong(v -> (Long) v).sum();
                }
            }
            if (mode == CheckpointSettings.Mode.EXACTLY_ONCE) {
                assertThat(counted).as("checkpoint %d: keyed counts vs records emitted", id).isEqualTo(emitted);
            } else {
                assertThat(counted).as("checkpoint %d: keyed counts vs records emitted", id).isGreaterThanOrEqualTo(emitted);
            }
        }
    }

    @ParameterizedTest(name = "function state, parallelism {0}, {1}")
    @CsvSource({"1, EXACTLY_ONCE", "2, EXACTLY_ONCE", "4, EXACTLY_ONCE", "1, AT_LEAST_ONCE", "2, AT_LEAST_ONCE", "4, AT_LEAST_ONCE"})
    void when_a_keyed_job_checkpoints_then_every_checkpoint_is_consistent_with_the_source_positions(
            int parallelism, CheckpointSettings.Mode mode) throws Exception {
        InMemoryCheckpointStorage storage = new InMemoryCheckpointStorage();
        CheckpointSettings checkpoints = CheckpointSettings.create(testKit.system())
                .withoutInterval().withMode(mode).withRetained(1_000).withTimeout(Duration.ofSeconds(30));
        RuntimeSettings runtime = RuntimeSettings.create(testKit.system()).withBufferRecords(256);
        JobBuilder job = JobBuilder.create("running-count").defaultParallelism(parallelism);
        job.source("numbers", Sources.generator(Long.MAX_VALUE, i -> i))
                .keyBy(value -> value % 1000)
                .process(COUNT, RunningCount::new)
                .sink("out", Sinks.discard());

        JobHandle handle = Snapflow.submit(testKit.system(), job.build(), runtime, checkpoints, storage);
        // Records flow all the time; each requested checkpoint cuts through a running stream.
        for (int i = 0; i < 5; i++) {
            handle.triggerCheckpoint(Duration.ofSeconds(30)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        handle.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(storage.completedCheckpointIds()).as("completed checkpoints").hasSize(5);
        for (long id : storage.completedCheckpointIds()) {
            CheckpointMetadata metadata = storage.readMetadata(id).orElseThrow();
            long emitted = 0;
            long counted = 0;
            for (StateHandle handleOfSubtask : metadata.states().values()) {
                SubtaskState state = storage.readState(handleOfSubtask);
                if (state.operators().contains("numbers")) {
                    emitted += ByteBuffer.wrap(state.operatorState("numbers").orElseThrow()).getLong();
                }
                if (state.operators().contains(COUNT)) {
                    counted += countedRecords(state.operatorState(COUNT).orElseThrow());
                }
            }
            if (mode == CheckpointSettings.Mode.EXACTLY_ONCE) {
                assertThat(counted).as("checkpoint %d: records in state vs emitted by the sources", id).isEqualTo(emitted);
            } else {
                assertThat(counted).as("checkpoint %d: records in state vs emitted by the sources", id).isGreaterThanOrEqualTo(emitted);
            }
        }
        assertThat(handle.checkpointStats()).filteredOn(s -> s.status() == CheckpointStats.Status.COMPLETED)
                .extracting(CheckpointStats::id).containsExactlyElementsOf(storage.completedCheckpointIds());
    }
}
