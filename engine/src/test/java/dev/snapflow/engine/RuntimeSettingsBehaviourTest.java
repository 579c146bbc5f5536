package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import com.typesafe.config.ConfigFactory;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.ReadStatus;
import dev.snapflow.engine.api.Source;
import dev.snapflow.engine.api.SourceReader;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Settings that change how jobs run: flush timeout, dispatcher; and jobs running side by side. */
class RuntimeSettingsBehaviourTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create(ConfigFactory.parseString(
                "test-subtask-dispatcher { type = Dispatcher, executor = thread-pool-executor,"
                        + " thread-pool-executor.fixed-pool-size = 2 }").withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    /** Emits a few records, then has nothing more for ever (an idle unbounded source). */
    static final class TrickleSource implements Source<String> {
        @Override
        public SourceReader<String> createReader(int subtaskIndex, int parallelism) {
            return new SourceReader<>() {
                private long position;

                @Override
                public ReadStatus read(Collector<String> output, int maxRecords) {
                    while (position < 3) {
                        output.collect("record-" + position++);
                    }
                    return ReadStatus.NOTHING_AVAILABLE;
                }

                @Override
                public long position() {
                    return position;
                }

                @Override
                public void seek(long newPosition) {
                    position = newPosition;
                }
            };
        }
    }

    @Test
    void when_a_batch_stays_partial_then_the_flush_timeout_sends_it() {
        TestProbe<String> received = testKit.createTestProbe();
        RuntimeSettings settings = RuntimeSettings.create(testKit.system())
                .withBufferRecords(1024)
                .withFlushTimeout(Duration.ofMillis(20));
        JobBuilder job = JobBuilder.create("trickle");
        job.source("trickle", new TrickleSource())
                .map("copy", s -> s).startNewChain()
                .sink("probe", Sinks.forEach(received.getRef()::tell));

        JobHandle handle = Snapflow.submit(testKit.system(), job.build(), settings);

        // Three records never fill a batch of 1024: only the flush timeout can get them through.
        assertThat(List.of(received.receiveMessage(), received.receiveMessage(), received.receiveMessage()))
                .containsExactly("record-0", "record-1", "record-2");
        handle.cancel().toCompletableFuture().join();
    }

    @Test
    void when_a_subtask_dispatcher_is_configured_then_operators_run_on_it() throws Exception {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        RuntimeSettings settings = RuntimeSettings.create(testKit.system()).withSubtaskDispatcher("test-subtask-dispatcher");
        JobBuilder job = JobBuilder.create("on-dispatcher").defaultParallelism(2);
        job.source("numbers", Sources.sequence(1, 1000))
                .map("where", x -> {
                    threads.add(Thread.currentThread().getName());
                    return x;
                })
                .sink("out", Sinks.discard());

        Snapflow.submit(testKit.system(), job.build(), settings).result().toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(threads).isNotEmpty().allSatisfy(name -> assertThat(name).contains("test-subtask-dispatcher"));
    }

    @Test
    void when_two_jobs_run_side_by_side_then_each_gets_its_own_result() throws Exception {
        JobBuilder first = JobBuilder.create("same-name").defaultParallelism(2);
        first.source("numbers", Sources.sequence(1, 50_000)).rebalance().map("plus", x -> x + 1).sink("out", Sinks.collect());
        JobBuilder second = JobBuilder.create("same-name").defaultParallelism(2);
        second.source("numbers", Sources.sequence(1, 30_000)).filter("odd", x -> x % 2 == 1).sink("out", Sinks.collect());

        JobHandle a = Snapflow.submit(testKit.system(), first.build());
        JobHandle b = Snapflow.submit(testKit.system(), second.build());

        List<Long> fromA = a.result().toCompletableFuture().get(30, TimeUnit.SECONDS).collected("out");
        List<Long> fromB = b.result().toCompletableFuture().get(30, TimeUnit.SECONDS).collected("out");
        assertThat(fromA).hasSize(50_000).doesNotContain(1L).contains(50_001L);
        assertThat(fromB).hasSize(15_000).allSatisfy(x -> assertThat(x % 2).isEqualTo(1));
    }
}
