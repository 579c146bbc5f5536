package dev.snapflow.samples.resume;

import akka.actor.typed.ActorSystem;
import dev.snapflow.engine.JobAttemptFailure;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.JobResult;
import dev.snapflow.engine.Snapflow;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestartStrategy;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.samples.CheckpointReports;
import dev.snapflow.samples.FailedAttempts;
import dev.snapflow.serialization.record.Tuple2;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A job survives a failure: a word count over generated text checkpoints to a directory; half-way
 * its counting function throws. The restart strategy stops every actor of the failed attempt and
 * starts a new one from the latest checkpoint on disk; its sources re-read the lines after that
 * checkpoint, and the job ends with exactly the counts of a plain sequential count.
 *
 * <p>What to look for: the failed attempt with its cause, the checkpoint table (ids go on
 * increasing across the restart), the most frequent words, and the last line,
 * {@code RESULT sample=wordcount failures_injected=1 restarts=1 checkpoints=... counts_equal=true},
 * every value computed from the run.
 */
public final class RecoverFromFailure {

    /** Armed once the sources are half-way and a checkpoint holds their position; the next word throws. */
    private static final AtomicBoolean failureArmed = new AtomicBoolean();
    private static volatile CompletableFuture<Void> failureInjected = new CompletableFuture<>();

    private RecoverFromFailure() {
    }

    public static void main(String[] args) throws Exception {
        ResumeFromCheckpoint.runAsProgram("recover-from-failure", RecoverFromFailure::run);
    }

    /** A word count that throws on the first word after the failure was armed. */
    static final class FailingWordCount extends ResumeFromCheckpoint.WordCount {
        @Override
        public void processElement(String word, Context<String> context, Collector<Tuple2<String, Long>> out) {
            if (failureArmed.compareAndSet(true, false)) {
                failureInjected.complete(null);
                throw new IllegalStateException("Injected failure while counting '" + word + "'");
            }
            super.processElement(word, context, out);
        }
    }

    /** Runs the story, printing to {@code out}; returns whether the counts equal a sequential count. */
    static boolean run(ActorSystem<?> system, Path directory, PrintStream out) throws Exception {
        List<String> lines = ResumeFromCheckpoint.text(ResumeFromCheckpoint.LINES, 11);
        CheckpointSettings checkpoints = CheckpointSettings.create(system)
                .withInterval(Duration.ofMillis(50)).withDirectory(directory);
        RuntimeSettings runtime = RuntimeSettings.create(system).withIdleSourcePollInterval(Duration.ofMillis(5))
                .withRestartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(100)));

        ResumeFromCheckpoint.allowedLines.set(ResumeFromCheckpoint.STOP_AFTER_LINES);
        ResumeFromCheckpoint.stoppedSubtasks.set(0);
        ResumeFromCheckpoint.bothStopped = new CompletableFuture<>();
        failureArmed.set(false);
        failureInjected = new CompletableFuture<>();
        JobHandle job = Snapflow.submit(system, ResumeFromCheckpoint.job(lines, FailingWordCount::new), runtime, checkpoints);
        ResumeFromCheckpoint.bothStopped.get(60, TimeUnit.SECONDS);
        // A checkpoint now holds the sources half-way; then the next word fails the attempt.
        job.triggerCheckpoint(Duration.ofSeconds(30)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        failureArmed.set(true);
        ResumeFromCheckpoint.allowedLines.set(Long.MAX_VALUE);
        JobResult result = job.result().toCompletableFuture().get(120, TimeUnit.SECONDS);
        int failuresInjected = failureInjected.isDone() ? 1 : 0;

        FailedAttempts.print(job, 2, out);
        out.println("Checkpoints:");
        out.printf("  %4s  %-9s  %8s  %10s%n", "id", "status", "e2e ms", "bytes");
        for (CheckpointStats stats : job.checkpointStats()) {
            out.printf("  %4d  %-9s  %8d  %10d%n", stats.id(), stats.status(), stats.endToEndMillis(), stats.stateBytes());
        }

        Map<String, Long> counted = ResumeFromCheckpoint.counted(result);
        Map<String, Long> expected = ResumeFromCheckpoint.expected(lines);
        boolean equal = counted.equals(expected);
        out.println("Most frequent words (counted by the job / counted sequentially):");
        counted.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(5)
                .forEach(entry -> out.printf("  %-8s %7d / %7d%n", entry.getKey(), entry.getValue(), expected.get(entry.getKey())));
        CheckpointReports.writeIfAsked(job, out);
        long restarts = job.failedAttempts().stream().filter(JobAttemptFailure::restarted).count();
        long completed = job.checkpointStats().stream().filter(s -> s.status() == CheckpointStats.Status.COMPLETED).count();
        out.printf("RESULT sample=wordcount failures_injected=%d restarts=%d checkpoints=%d counts_equal=%s%n",
                failuresInjected, restarts, completed, equal);
        return equal && failuresInjected == 1 && restarts == 1;
    }
}
