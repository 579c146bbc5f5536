package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.graph.JobGraph;
import dev.snapflow.serialization.record.Tuple2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A keyed word count over a few MB of generated text equals a plain sequential count. */
class WordCountTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    /** Keeps a running count per word and emits the final count of each word at the end. */
    static final class CountWords implements KeyedProcessFunction<String, String, Tuple2<String, Long>> {
        private final Map<String, Long> counts = new HashMap<>();

        @Override
        public void processElement(String word, Context<String> context, Collector<Tuple2<String, Long>> out) {
            assertThat(context.currentKey()).isEqualTo(word);
            counts.merge(word, 1L, Long::sum);
        }

        @Override
        public void finish(Collector<Tuple2<String, Long>> out) {
            counts.forEach((word, count) -> out.collect(Tuple2.of(word, count)));
        }
    }

    static List<String> generatedLines(int lines, long seed) {
        Random random = new Random(seed);
        String[] vocabulary = new String[5000];
        for (int i = 0; i < vocabulary.length; i++) {
            vocabulary[i] = "w" + Integer.toString(i * 7919, 36);
        }
        return java.util.stream.IntStream.range(0, lines).mapToObj(i -> {
            StringBuilder line = new StringBuilder();
            int words = 5 + random.nextInt(15);
            for (int w = 0; w < words; w++) {
                // Skewed: low indexes are much more frequent, like natural text.
                int index = (int) Math.min(vocabulary.length - 1, Math.abs(random.nextGaussian()) * 600);
                line.append(w == 0 ? "" : " ").append(vocabulary[index]);
            }
            return line.toString();
        }).toList();
    }

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {1, 2, 4})
    void when_words_are_counted_in_parallel_then_counts_equal_a_sequential_count(int parallelism) throws Exception {
        List<String> lines = generatedLines(60_000, 42);
        Map<String, Long> expected = new HashMap<>();
        for (String line : lines) {
            for (String word : line.split(" ")) {
                expected.merge(word, 1L, Long::sum);
            }
        }
        long bytes = lines.stream().mapToLong(l -> l.length() + 1).sum();
        assertThat(bytes).as("input size").isGreaterThan(3_000_000);

        JobBuilder job = JobBuilder.create("word-count").defaultParallelism(parallelism);
        job.source("lines", Sources.collection(lines))
                .flatMap("split", (String line, Collector<String> out) -> {
                    for (String word : line.split(" ")) {
                        out.collect(word);
                    }
                })
                .keyBy(word -> word)
                .process("count", CountWords::new)
                .sink("counts", Sinks.collect());
        JobGraph graph = job.build();

        JobResult result = Snapflow.submit(testKit.system(), graph).result().toCompletableFuture().get(60, TimeUnit.SECONDS);

        Map<String, Long> counted = new HashMap<>();
        for (Tuple2<String, Long> count : result.<Tuple2<String, Long>>collected("counts")) {
            assertThat(counted.put(count.f0(), count.f1())).as("word %s reported twice", count.f0()).isNull();
        }
        assertThat(counted).isEqualTo(expected);
        assertThat(result.duration()).isPositive();
    }
}
