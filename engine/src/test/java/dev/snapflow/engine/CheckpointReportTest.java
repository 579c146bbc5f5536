package dev.snapflow.engine;

import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTML checkpoint report: self-contained, and showing what happened. */
class CheckpointReportTest {

    @TempDir
    Path directory;

    private static CheckpointStats.Subtask subtask(String name, long delay, long alignment, long sync, long async) {
        return new CheckpointStats.Subtask(name, delay + alignment + sync + async, sync, async, alignment, delay, 2048, 1024);
    }

    private static final long T0 = 1_700_000_000_000L;

    private final List<CheckpointStats> checkpoints = List.of(
            new CheckpointStats(1, CheckpointStats.Status.COMPLETED, false, T0, 40, 4096, 4096, 0, false, Optional.empty(),
                    List.of(subtask("count (1/2)", 3, 5, 1, 30), subtask("count (2/2)", 4, 2, 0, 33))),
            new CheckpointStats(2, CheckpointStats.Status.FAILED, false, T0 + 100, 60, 0, 0, 0, false,
                    Optional.of("declined by <count (2/2)>: could not write"), List.of()),
            new CheckpointStats(3, CheckpointStats.Status.COMPLETED, false, T0 + 200, 25, 8192, 512, 3000, true, Optional.empty(),
                    List.of(subtask("count (1/2)", 1, 0, 1, 20))),
            new CheckpointStats(4, CheckpointStats.Status.COMPLETED, true, T0 + 300, 80, 8192, 8192, 0, false, Optional.empty(),
                    List.of()));

    @Test
    void the_report_shows_every_checkpoint_its_subtasks_and_the_failed_attempts() throws Exception {
        JobAttemptFailure failure = new JobAttemptFailure(1, Instant.ofEpochMilli(T0 + 150), "count", 1,
                new IllegalStateException("injected"), true);
        Path file = new CheckpointReport("word-count", "job-1", checkpoints, List.of(failure), Instant.ofEpochMilli(T0 + 400))
                .writeTo(directory.resolve("report/checkpoints.html"));

        String html = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("Checkpoints of job word-count", "job-1");
        assertThat(html.split("<rect x=", -1)).as("a bar on the timeline per checkpoint").hasSize(5);
        assertThat(html).contains("id=\"checkpoint-1\"", "id=\"checkpoint-2\"", "id=\"checkpoint-3\"", "id=\"checkpoint-4\"");
        assertThat(html).contains("checkpoint (unaligned)", "savepoint", "2.9 KB", "attempt 1 failed in count");
        assertThat(html).as("text from the job is escaped").contains("declined by &lt;count (2/2)&gt;: could not write")
                .doesNotContain("<count (2/2)>");
        assertThat(html).as("end to end p50 of the three completed").contains("<b>40 ms</b><span>end to end p50");
        assertThat(html).as("self-contained").doesNotContain("<script", "<link", "src=", "url(", "https:")
                .doesNotContainPattern("href=\"http");
    }

    @Test
    void a_job_without_checkpoints_gets_a_page_that_says_so() {
        String html = new CheckpointReport("idle", "job-2", List.of(), List.of(), Instant.ofEpochMilli(T0)).html();
        assertThat(html).contains("No checkpoint has ended yet.", "<h2>Failed attempts</h2>\n<p>None.</p>");
    }
}
