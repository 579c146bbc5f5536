package dev.snapflow.samples.resume;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.JobResult;
import dev.snapflow.engine.Snapflow;
import dev.snapflow.engine.api.CheckpointedFunction;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.ReadStatus;
import dev.snapflow.engine.api.Source;
import dev.snapflow.engine.api.SourceReader;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.connectors.Sources;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.graph.JobGraph;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.Tuple2;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Checkpoints survive the job: a word count runs over generated text with periodic checkpoints
 * to a directory, is stopped half-way as if its process had died, and a new job resumes from the
 * newest checkpoint on disk. The resumed job re-reads the lines after the checkpoint and ends with
 * exactly the counts of a plain sequential count: nothing lost, nothing counted twice.
 *
 * <p>What to look for: the checkpoint table of the first run (one line per checkpoint, with its
 * state size and duration), the checkpoint the second run resumes from, and the last line,
 * {@code RESULT sample=resume ... counts_equal=true}, computed by comparing every word's count.
 * Change {@code STOP_AFTER_LINES} to stop earlier or later.
 */
public final class ResumeFromCheckpoint {

    static final int LINES = 40_000;
    /** Each source subtask stops (waits) after this many of its lines in the first run. */
    static final long STOP_AFTER_LINES = LINES / 4;
    /** How many lines each source subtask may read: the "crash" is a source that stops reading. */
    static final AtomicLong allowedLines = new AtomicLong();
    /** Source subtasks that reached the allowed number of lines in the current run. */
    static final AtomicInteger stoppedSubtasks = new AtomicInteger();
    /** Completed when both source subtasks reached the allowed number of lines. */
    static volatile CompletableFuture<Void> bothStopped = new CompletableFuture<>();

    private ResumeFromCheckpoint() {
    }

    public static void main(String[] args) throws Exception {
        runAsProgram("resume-from-checkpoint", ResumeFromCheckpoint::run);
    }

    /** A sample's story: runs in {@code system}, checkpoints under {@code directory}, returns whether it came out right. */
    @FunctionalInterface
    public interface Story {
        boolean run(ActorSystem<?> system, Path directory, PrintStream out) throws Exception;
    }

    /**
     * Runs {@code story} in its own actor system with a temporary checkpoint directory, deleted at
     * the end, printing to standard output; exits with 1 if the story did not come out right.
     */
    public static void runAsProgram(String name, Story story) throws Exception {
        LoggerFactory.getILoggerFactory();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name);
        Path directory = Files.createTempDirectory("snapflow-" + name + "-");
        try {
            if (!story.run(system, directory, System.out)) {
                System.exit(1);
            }
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            deleteRecursively(directory);
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** Runs the story, printing to {@code out}; returns whether the counts equal a sequential count. */
    static boolean run(ActorSystem<?> system, Path directory, PrintStream out) throws Exception {
        List<String> lines = text(LINES, 7);
        CheckpointSettings checkpoints = CheckpointSettings.create(system)
                .withInterval(Duration.ofMillis(50)).withDirectory(directory);
        RuntimeSettings runtime = RuntimeSettings.create(system).withIdleSourcePollInterval(Duration.ofMillis(5));

        allowedLines.set(STOP_AFTER_LINES);
        stoppedSubtasks.set(0);
        bothStopped = new CompletableFuture<>();
        JobHandle first = Snapflow.submit(system, job(lines), runtime, checkpoints);
        bothStopped.get(60, TimeUnit.SECONDS);
        // One more checkpoint now that the sources wait, then the "crash".
        first.triggerCheckpoint(Duration.ofSeconds(30)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        first.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);
        out.println("First run, stopped after " + 2 * STOP_AFTER_LINES + " of " + LINES + " lines. Its checkpoints:");
        out.printf("  %4s  %-9s  %8s  %10s%n", "id", "status", "e2e ms", "bytes");
        for (CheckpointStats stats : first.checkpointStats()) {
            out.printf("  %4d  %-9s  %8d  %10d%n", stats.id(), stats.status(), stats.endToEndMillis(), stats.stateBytes());
        }

        allowedLines.set(Long.MAX_VALUE);
        Path previous = directory.resolve(first.jobId());
        JobHandle resumed = Snapflow.submitFromCheckpoint(system, job(lines), previous, runtime, checkpoints.withoutInterval());
        JobResult result = resumed.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
        long resumedFrom = first.checkpointStats().stream().filter(s -> s.status() == CheckpointStats.Status.COMPLETED)
                .mapToLong(CheckpointStats::id).max().orElse(-1);
        out.println("Resumed from the newest checkpoint in " + previous + " (checkpoint " + resumedFrom + " or the newest intact one).");

        Map<String, Long> counted = counted(result);
        Map<String, Long> expected = expected(lines);
        boolean equal = counted.equals(expected(lines));
        out.printf("%d distinct words, %d words in total; the resumed job counted %d.%n", expected.size(),
                expected.values().stream().mapToLong(Long::longValue).sum(), counted.values().stream().mapToLong(Long::longValue).sum());
        out.printf("RESULT sample=resume lines=%d stopped_after=%d checkpoints=%d counts_equal=%s%n", LINES,
                2 * STOP_AFTER_LINES, first.checkpointStats().stream().filter(s -> s.status() == CheckpointStats.Status.COMPLETED).count(),
                equal);
        return equal;
    }

    /** Every word's count, counted plainly in one thread. */
    static Map<String, Long> expected(List<String> lines) {
        Map<String, Long> expected = new HashMap<>();
        for (String line : lines) {
            for (String word : line.split(" ")) {
                expected.merge(word, 1L, Long::sum);
            }
        }
        return expected;
    }

    /** The counts a job reported, merged by word. */
    static Map<String, Long> counted(JobResult result) {
        Map<String, Long> counted = new HashMap<>();
        for (Tuple2<String, Long> count : result.<Tuple2<String, Long>>collected("counts")) {
            counted.merge(count.f0(), count.f1(), Long::sum);
        }
        return counted;
    }

    static JobGraph job(List<String> lines) {
        return job(lines, WordCount::new);
    }

    static JobGraph job(List<String> lines, java.util.function.Supplier<WordCount> counter) {
        JobBuilder job = JobBuilder.create("word-count").defaultParallelism(2);
        job.source("lines", new StoppableLines(lines))
                .flatMap("split", (String line, Collector<String> words) -> {
                    for (String word : line.split(" ")) {
                        words.collect(word);
                    }
                })
                .keyBy(word -> word)
                .process("count", counter::get)
                .sink("counts", Sinks.collect());
        return job.build();
    }

    /** Counts words; its counts are its checkpointed state, and it reports them at the end of the input. */
    static class WordCount implements KeyedProcessFunction<String, String, Tuple2<String, Long>>, CheckpointedFunction {
        private final Map<String, Long> counts = new HashMap<>();

        @Override
        public void processElement(String word, Context<String> context, Collector<Tuple2<String, Long>> out) {
            counts.merge(word, 1L, Long::sum);
        }

        @Override
        public void finish(Collector<Tuple2<String, Long>> out) {
            counts.forEach((word, count) -> out.collect(Tuple2.of(word, count)));
        }

        @Override
        public byte[] snapshotState(long checkpointId) {
            ByteArrayDataOutput out = new ByteArrayDataOutput(counts.size() * 16);
            out.writeInt(counts.size());
            counts.forEach((word, count) -> {
                out.writeUtf8(word);
                out.writeLong(count);
            });
            return out.toByteArray();
        }

        @Override
        public void restoreState(byte[] snapshot) throws IOException {
            ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(snapshot));
            for (int words = in.readInt(); words > 0; words--) {
                counts.put(in.readUtf8("a word"), in.readLong());
            }
        }
    }

    /** The lines, read like Sources.collection, each subtask stopping at the allowed number of lines. */
    static final class StoppableLines implements Source<String> {
        private final Source<String> lines;

        StoppableLines(List<String> lines) {
            this.lines = Sources.collection(lines);
        }

        @Override
        public SourceReader<String> createReader(int subtaskIndex, int parallelism) throws Exception {
            SourceReader<String> reader = lines.createReader(subtaskIndex, parallelism);
            return new SourceReader<>() {
                private boolean reportedStop;

                @Override
                public ReadStatus read(Collector<String> output, int maxRecords) throws Exception {
                    long allowed = allowedLines.get() - reader.position();
                    if (allowed <= 0) {
                        if (!reportedStop) {
                            reportedStop = true;
                            if (stoppedSubtasks.incrementAndGet() == 2) {
                                bothStopped.complete(null);
                            }
                        }
                        return ReadStatus.NOTHING_AVAILABLE;
                    }
                    return reader.read(output, (int) Math.min(maxRecords, allowed));
                }

                @Override
                public long position() {
                    return reader.position();
                }

                @Override
                public void seek(long position) throws Exception {
                    reader.seek(position);
                }
            };
        }
    }

    /** Lines of words with a skewed vocabulary, the same for the same seed. */
    public static List<String> text(int lineCount, long seed) {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>(lineCount);
        for (int i = 0; i < lineCount; i++) {
            StringBuilder line = new StringBuilder();
            for (int w = 5 + random.nextInt(10); w > 0; w--) {
                int index = (int) Math.min(2999, Math.abs(random.nextGaussian()) * 400);
                line.append(line.length() == 0 ? "" : " ").append("w").append(Integer.toString(index * 7919, 36));
            }
            lines.add(line.toString());
        }
        return lines;
    }
}
