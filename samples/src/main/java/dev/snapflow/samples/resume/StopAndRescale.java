package dev.snapflow.samples.resume;

import akka.actor.typed.ActorSystem;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.Snapflow;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.FileSink;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.graph.JobGraph;
import dev.snapflow.serialization.record.RecordSerializers;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Stop, rescale, resume: a word count that writes every count update, exactly once, into the
 * transactional file sink runs at parallelism 2, is stopped with a savepoint half-way, and a new
 * job at parallelism 3 resumes from the savepoint. The counts are keyed state, redistributed by
 * key group; the sink's pending transactions are operator state, split among the new subtasks.
 *
 * <p>What to look for: the savepoint's directory and files (everything it needs is in it), the
 * committed lines after the stop, and the last line, {@code RESULT sample=rescale ...
 * counts_equal=true}: every word's last committed count equals a plain count, and there is exactly
 * one committed line per word of the text (nothing lost, nothing written twice).
 */
public final class StopAndRescale {

    static final int LINES = 20_000;
    static final int PARALLELISM_BEFORE = 2;
    static final int PARALLELISM_AFTER = 3;

    private static final StateDescriptor.Value<Long> COUNT = new StateDescriptor.Value<>("count", RecordSerializers.longs());

    private StopAndRescale() {
    }

    public static void main(String[] args) throws Exception {
        ResumeFromCheckpoint.runAsProgram("stop-and-rescale", StopAndRescale::run);
    }

    /** Counts words in keyed state and emits every new count as {@code "word count"}. */
    static final class KeyedWordCount implements KeyedProcessFunction<String, String, String> {
        private ValueState<Long> count;

        @Override
        public void processElement(String word, Context<String> context, Collector<String> out) {
            if (count == null) {
                count = context.keyedState().state(COUNT);
            }
            Long current = count.value();
            long updated = current == null ? 1 : current + 1;
            count.update(updated);
            out.collect(word + " " + updated);
        }
    }

    /** The sources keep parallelism 2 (their positions cannot be split); the counting and the sink run at {@code parallelism}. */
    static JobGraph job(List<String> lines, Path output, int parallelism) {
        JobBuilder job = JobBuilder.create("word-count");
        job.source("lines", new ResumeFromCheckpoint.StoppableLines(lines)).parallelism(2)
                .flatMap("split", (String line, Collector<String> words) -> {
                    for (String word : line.split(" ")) {
                        words.collect(word);
                    }
                }).parallelism(2)
                .keyBy(word -> word)
                .process("count", KeyedWordCount::new).parallelism(parallelism)
                .sink("files", FileSink.lines(output)).parallelism(parallelism);
        return job.build();
    }

    static boolean run(ActorSystem<?> system, Path directory, PrintStream out) throws Exception {
        List<String> lines = ResumeFromCheckpoint.text(LINES, 11);
        Path output = directory.resolve("output");
        CheckpointSettings checkpoints = CheckpointSettings.create(system).withInterval(Duration.ofMillis(100))
                .withDirectory(directory.resolve("checkpoints"));
        RuntimeSettings runtime = RuntimeSettings.create(system).withIdleSourcePollInterval(Duration.ofMillis(5));

        ResumeFromCheckpoint.allowedLines.set(LINES / 4);
        ResumeFromCheckpoint.stoppedSubtasks.set(0);
        ResumeFromCheckpoint.bothStopped = new CompletableFuture<>();
        JobHandle first = Snapflow.submit(system, job(lines, output, PARALLELISM_BEFORE), runtime, checkpoints);
        ResumeFromCheckpoint.bothStopped.get(60, TimeUnit.SECONDS);
        Path savepoint = first.stopWithSavepoint(directory.resolve("savepoints"), Duration.ofSeconds(30))
                .toCompletableFuture().get(60, TimeUnit.SECONDS);
        first.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
        out.println("Stopped at parallelism " + PARALLELISM_BEFORE + " after " + LINES / 2 + " of " + LINES
                + " lines, with a savepoint in " + savepoint + ":");
        long savepointFiles;
        try (Stream<Path> files = Files.list(savepoint)) {
            List<Path> sorted = files.sorted().toList();
            savepointFiles = sorted.size();
            for (Path file : sorted) {
                out.printf("  %-24s %8d bytes%n", file.getFileName(), Files.size(file));
            }
        }
        out.println("Committed lines so far: " + FileSink.committedLines(output).size());

        ResumeFromCheckpoint.allowedLines.set(Long.MAX_VALUE);
        JobHandle resumed = Snapflow.submitFromCheckpoint(system, job(lines, output, PARALLELISM_AFTER), savepoint, runtime,
                checkpoints);
        resumed.result().toCompletableFuture().get(60, TimeUnit.SECONDS);

        List<String> committed = FileSink.committedLines(output);
        Map<String, Long> lastCounts = new HashMap<>();
        for (String line : committed) {
            int space = line.lastIndexOf(' ');
            lastCounts.merge(line.substring(0, space), Long.parseLong(line.substring(space + 1)), Math::max);
        }
        Map<String, Long> expected = ResumeFromCheckpoint.expected(lines);
        long words = expected.values().stream().mapToLong(Long::longValue).sum();
        boolean equal = lastCounts.equals(expected) && committed.size() == words;
        out.printf("Resumed at parallelism %d and finished: %d committed lines for %d words, %d distinct words.%n",
                PARALLELISM_AFTER, committed.size(), words, expected.size());
        out.printf("RESULT sample=rescale parallelism_before=%d parallelism_after=%d savepoint_files=%d committed_lines=%d"
                + " words=%d counts_equal=%s%n", PARALLELISM_BEFORE, PARALLELISM_AFTER, savepointFiles, committed.size(), words, equal);
        return equal;
    }
}
