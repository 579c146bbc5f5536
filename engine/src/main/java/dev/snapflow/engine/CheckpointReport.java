package dev.snapflow.engine;

import dev.snapflow.engine.checkpoint.stats.CheckpointStats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A job's checkpoint history as one self-contained HTML page (inline styles and SVG, no scripts,
 * nothing loaded from the network), the way Flink's web UI shows checkpoints: a timeline of every
 * checkpoint and savepoint from trigger to completion or failure, with the job's failed attempts
 * on it; a table with each one's duration, size, what it wrote and why it failed; and for each
 * one, every subtask's part as a bar of start delay, alignment, synchronous and asynchronous
 * snapshot. Written by {@link JobHandle#writeCheckpointReport(Path)}.
 *
 * @param jobName     the job's name
 * @param jobId       the job's id
 * @param checkpoints the checkpoints that ended, in any order
 * @param failures    the job's failed attempts
 * @param generatedAt when the report was made
 */
public record CheckpointReport(String jobName, String jobId, List<CheckpointStats> checkpoints,
                               List<JobAttemptFailure> failures, Instant generatedAt) {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final int TIMELINE_WIDTH = 1000;
    /** Room left of the timeline's origin for its first label. */
    private static final int TIMELINE_LEFT = 24;
    private static final int LANE_HEIGHT = 16;
    private static final int AXIS_HEIGHT = 28;
    private static final String COMPLETED = "#2e7d32";
    private static final String UNALIGNED = "#6a1b9a";
    private static final String SAVEPOINT = "#1565c0";
    private static final String FAILED = "#c62828";
    private static final String START_DELAY = "#9e9e9e";
    private static final String ALIGNMENT = "#ef6c00";
    private static final String SYNC = "#1565c0";
    private static final String ASYNC = "#2e7d32";

    public CheckpointReport {
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(jobId, "jobId");
        checkpoints = checkpoints.stream().sorted(Comparator.comparingLong(CheckpointStats::triggerTimeMillis)
                .thenComparingLong(CheckpointStats::id)).toList();
        failures = List.copyOf(failures);
        Objects.requireNonNull(generatedAt, "generatedAt");
    }

    /** Writes the page to {@code file} (UTF-8), replacing it. */
    public Path writeTo(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, html(), StandardCharsets.UTF_8);
        return file;
    }

    /** The page. */
    public String html() {
        StringBuilder page = new StringBuilder(16_384);
        page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Checkpoints of ")
                .append(escape(jobName)).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#212121;max-width:1100px}\n")
                .append("h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}\n")
                .append(".meta{color:#616161;font-size:13px}.figures{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}\n")
                .append(".figure{border:1px solid #e0e0e0;border-radius:6px;padding:8px 12px;min-width:110px}\n")
                .append(".figure b{display:block;font-size:20px}.figure span{color:#616161;font-size:12px}\n")
                .append("table{border-collapse:collapse;font-size:13px;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #eeeeee;text-align:right}\n")
                .append("th{background:#fafafa;font-weight:600}td.l,th.l{text-align:left}\n")
                .append(".badge{display:inline-block;padding:1px 6px;border-radius:8px;color:#fff;font-size:11px}\n")
                .append(".bar{display:flex;height:12px;width:300px;background:#f5f5f5}.bar div{height:12px}\n")
                .append(".legend span{display:inline-block;margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}\n")
                .append("details{margin:6px 0;border:1px solid #eeeeee;border-radius:4px;padding:4px 8px}summary{cursor:pointer;font-size:13px}\n")
                .append(".reason{color:").append(FAILED).append(";text-align:left}\n")
                .append("</style></head><body>\n");
        header(page);
        timeline(page);
        table(page);
        details(page);
        failedAttempts(page);
        page.append("</body></html>\n");
        return page.toString();
    }

    private void header(StringBuilder page) {
        long completed = checkpoints.stream().filter(c -> c.status() == CheckpointStats.Status.COMPLETED).count();
        long failed = checkpoints.size() - completed;
        long savepoints = checkpoints.stream().filter(CheckpointStats::savepoint).count();
        List<Long> durations = checkpoints.stream().filter(c -> c.status() == CheckpointStats.Status.COMPLETED)
                .map(CheckpointStats::endToEndMillis).sorted().toList();
        long written = checkpoints.stream().mapToLong(CheckpointStats::writtenBytes).sum();
        String latestState = checkpoints.stream().filter(c -> c.status() == CheckpointStats.Status.COMPLETED)
                .reduce((first, second) -> second).map(c -> bytes(c.stateBytes())).orElse("–");
        page.append("<h1>Checkpoints of job ").append(escape(jobName)).append("</h1>\n<div class=\"meta\">job id ")
                .append(escape(jobId)).append(" · report made ").append(DATE_TIME.format(generatedAt)).append("</div>\n")
                .append("<div class=\"figures\">");
        figure(page, Long.toString(completed), "completed");
        figure(page, Long.toString(failed), "failed");
        figure(page, Long.toString(savepoints), "savepoints");
        figure(page, durations.isEmpty() ? "–" : percentile(durations, 50) + " ms", "end to end p50");
        figure(page, durations.isEmpty() ? "–" : percentile(durations, 99) + " ms", "end to end p99");
        figure(page, latestState, "latest state");
        figure(page, bytes(written), "written in all");
        figure(page, Integer.toString(failures.size()), "failed attempts");
        page.append("</div>\n");
    }

    private static void figure(StringBuilder page, String value, String label) {
        page.append("<div class=\"figure\"><b>").append(escape(value)).append("</b><span>").append(label).append("</span></div>");
    }

    private void timeline(StringBuilder page) {
        page.append("<h2>Timeline</h2>\n");
        if (checkpoints.isEmpty()) {
            page.append("<p>No checkpoint has ended yet.</p>\n");
            return;
        }
        long start = checkpoints.get(0).triggerTimeMillis();
        long end = start + 1;
        for (CheckpointStats checkpoint : checkpoints) {
            end = Math.max(end, checkpoint.triggerTimeMillis() + Math.max(1, checkpoint.endToEndMillis()));
        }
        for (JobAttemptFailure failure : failures) {
            end = Math.max(end, failure.time().toEpochMilli());
        }
        long span = end - start;
        // Checkpoints that overlap go to separate lanes.
        List<Long> laneEnds = new ArrayList<>();
        List<Integer> lanes = new ArrayList<>();
        for (CheckpointStats checkpoint : checkpoints) {
            int lane = 0;
            while (lane < laneEnds.size() && laneEnds.get(lane) > checkpoint.triggerTimeMillis()) {
                lane++;
            }
            long checkpointEnd = checkpoint.triggerTimeMillis() + Math.max(1, checkpoint.endToEndMillis());
            if (lane == laneEnds.size()) {
                laneEnds.add(checkpointEnd);
            } else {
                laneEnds.set(lane, checkpointEnd);
            }
            lanes.add(lane);
        }
        int height = AXIS_HEIGHT + laneEnds.size() * LANE_HEIGHT + 8;
        page.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(TIMELINE_WIDTH + 2 * TIMELINE_LEFT).append("\" height=\"")
                .append(height).append("\" role=\"img\" aria-label=\"checkpoint timeline\">\n");
        long tick = niceTick(span);
        for (long t = 0; t <= span; t += tick) {
            double x = TIMELINE_LEFT + (double) t * TIMELINE_WIDTH / span;
            page.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"18\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eeeeee\"/>", x, x, height));
            page.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"12\" font-size=\"10\" fill=\"#757575\" text-anchor=\"middle\">%s</text>%n",
                    x, duration(t)));
        }
        for (int i = 0; i < checkpoints.size(); i++) {
            CheckpointStats checkpoint = checkpoints.get(i);
            double x = TIMELINE_LEFT + (double) (checkpoint.triggerTimeMillis() - start) * TIMELINE_WIDTH / span;
            double width = Math.max(2, (double) checkpoint.endToEndMillis() * TIMELINE_WIDTH / span);
            int y = AXIS_HEIGHT + lanes.get(i) * LANE_HEIGHT;
            page.append(String.format(Locale.ROOT, "<a href=\"#checkpoint-%d\"><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" fill=\"%s\">",
                            checkpoint.id(), x, y, width, LANE_HEIGHT - 4, colour(checkpoint)))
                    .append("<title>").append(escape(kind(checkpoint))).append(' ').append(checkpoint.id()).append(' ')
                    .append(checkpoint.status()).append(" in ").append(checkpoint.endToEndMillis()).append(" ms")
                    .append(checkpoint.failureReason().map(reason -> ": " + escape(reason)).orElse(""))
                    .append("</title></rect></a>\n");
        }
        for (JobAttemptFailure failure : failures) {
            double x = TIMELINE_LEFT + (double) (failure.time().toEpochMilli() - start) * TIMELINE_WIDTH / span;
            if (x < TIMELINE_LEFT) {
                continue;
            }
            page.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"18\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"4 2\">",
                            x, x, height, FAILED))
                    .append("<title>attempt ").append(failure.attempt()).append(" failed in ").append(escape(failure.operatorName()))
                    .append(": ").append(escape(String.valueOf(failure.cause()))).append("</title></line>\n");
        }
        page.append("</svg>\n<div class=\"legend\">");
        legend(page, COMPLETED, "completed (aligned)");
        legend(page, UNALIGNED, "completed (unaligned)");
        legend(page, SAVEPOINT, "savepoint");
        legend(page, FAILED, "failed; dashed line: a failed attempt");
        page.append("</div>\n");
    }

    private static void legend(StringBuilder page, String colour, String label) {
        page.append("<span><i style=\"background:").append(colour).append("\"></i>").append(label).append("</span>");
    }

    private void table(StringBuilder page) {
        page.append("<h2>Checkpoints</h2>\n<table><tr><th>id</th><th class=\"l\">status</th><th class=\"l\">kind</th>"
                + "<th>triggered</th><th>end to end</th><th>state</th><th>written</th><th>in flight</th><th>subtasks</th>"
                + "<th>max alignment</th><th class=\"l\">failure</th></tr>\n");
        for (CheckpointStats checkpoint : checkpoints) {
            page.append("<tr><td><a href=\"#checkpoint-").append(checkpoint.id()).append("\">").append(checkpoint.id())
                    .append("</a></td><td class=\"l\"><span class=\"badge\" style=\"background:").append(colour(checkpoint))
                    .append("\">").append(checkpoint.status().name().toLowerCase(Locale.ROOT)).append("</span></td><td class=\"l\">")
                    .append(escape(kind(checkpoint))).append("</td><td>")
                    .append(CLOCK.format(Instant.ofEpochMilli(checkpoint.triggerTimeMillis()))).append("</td><td>")
                    .append(checkpoint.endToEndMillis()).append(" ms</td><td>").append(bytes(checkpoint.stateBytes()))
                    .append("</td><td>").append(bytes(checkpoint.writtenBytes())).append("</td><td>")
                    .append(bytes(checkpoint.persistedInFlightBytes())).append("</td><td>").append(checkpoint.subtasks().size())
                    .append("</td><td>").append(checkpoint.subtasks().stream().mapToLong(CheckpointStats.Subtask::alignmentMillis)
                            .max().orElse(0)).append(" ms</td><td class=\"reason\">")
                    .append(escape(checkpoint.failureReason().orElse(""))).append("</td></tr>\n");
        }
        page.append("</table>\n");
    }

    private void details(StringBuilder page) {
        page.append("<h2>Subtasks of each checkpoint</h2>\n<div class=\"legend\">");
        legend(page, START_DELAY, "start delay (trigger to first barrier)");
        legend(page, ALIGNMENT, "alignment");
        legend(page, SYNC, "synchronous part");
        legend(page, ASYNC, "asynchronous part");
        page.append("</div>\n");
        // The latest completed one is open, so the page shows a breakdown without a click.
        long opened = checkpoints.stream().filter(c -> c.status() == CheckpointStats.Status.COMPLETED && !c.subtasks().isEmpty())
                .reduce((first, second) -> second).map(CheckpointStats::id).orElse(-1L);
        for (CheckpointStats checkpoint : checkpoints) {
            long scale = Math.max(1, checkpoint.subtasks().stream()
                    .mapToLong(s -> s.startDelayMillis() + s.alignmentMillis() + s.syncMillis() + s.asyncMillis()).max().orElse(1));
            page.append("<details id=\"checkpoint-").append(checkpoint.id()).append('"')
                    .append(checkpoint.id() == opened ? " open" : "").append("><summary>")
                    .append(escape(kind(checkpoint))).append(' ').append(checkpoint.id()).append(" · ")
                    .append(checkpoint.status().name().toLowerCase(Locale.ROOT)).append(" in ").append(checkpoint.endToEndMillis())
                    .append(" ms · ").append(checkpoint.subtasks().size()).append(" subtasks acknowledged")
                    .append(checkpoint.failureReason().map(reason -> " · " + escape(reason)).orElse(""))
                    .append("</summary>\n");
            if (checkpoint.subtasks().isEmpty()) {
                page.append("<p>No subtask acknowledged it.</p></details>\n");
                continue;
            }
            page.append("<table><tr><th class=\"l\">subtask</th><th class=\"l\">where the time went</th><th>acknowledged</th>"
                    + "<th>start delay</th><th>alignment</th><th>sync</th><th>async</th><th>state</th><th>written</th></tr>\n");
            for (CheckpointStats.Subtask subtask : checkpoint.subtasks().stream()
                    .sorted(Comparator.comparing(CheckpointStats.Subtask::name)).toList()) {
                page.append("<tr><td class=\"l\">").append(escape(subtask.name())).append("</td><td class=\"l\"><div class=\"bar\">");
                segment(page, START_DELAY, subtask.startDelayMillis(), scale);
                segment(page, ALIGNMENT, subtask.alignmentMillis(), scale);
                segment(page, SYNC, subtask.syncMillis(), scale);
                segment(page, ASYNC, subtask.asyncMillis(), scale);
                page.append("</div></td><td>").append(subtask.ackTimeMillis()).append(" ms</td><td>")
                        .append(subtask.startDelayMillis()).append(" ms</td><td>").append(subtask.alignmentMillis())
                        .append(" ms</td><td>").append(subtask.syncMillis()).append(" ms</td><td>").append(subtask.asyncMillis())
                        .append(" ms</td><td>").append(bytes(subtask.stateBytes())).append("</td><td>")
                        .append(bytes(subtask.writtenBytes())).append("</td></tr>\n");
            }
            page.append("</table></details>\n");
        }
    }

    private static void segment(StringBuilder page, String colour, long millis, long scale) {
        if (millis > 0) {
            page.append(String.format(Locale.ROOT, "<div style=\"width:%.1f%%;background:%s\" title=\"%d ms\"></div>",
                    100.0 * millis / scale, colour, millis));
        }
    }

    private void failedAttempts(StringBuilder page) {
        page.append("<h2>Failed attempts</h2>\n");
        if (failures.isEmpty()) {
            page.append("<p>None.</p>\n");
            return;
        }
        page.append("<table><tr><th>attempt</th><th>when</th><th class=\"l\">where</th><th class=\"l\">cause</th>"
                + "<th class=\"l\">restarted</th></tr>\n");
        for (JobAttemptFailure failure : failures) {
            page.append("<tr><td>").append(failure.attempt()).append("</td><td>").append(CLOCK.format(failure.time()))
                    .append("</td><td class=\"l\">").append(escape(failure.operatorName())).append(", subtask ")
                    .append(failure.subtaskIndex() + 1).append("</td><td class=\"reason\">")
                    .append(escape(String.valueOf(failure.cause()))).append("</td><td class=\"l\">")
                    .append(failure.restarted() ? "yes" : "no").append("</td></tr>\n");
        }
        page.append("</table>\n");
    }

    private static String kind(CheckpointStats checkpoint) {
        if (checkpoint.savepoint()) {
            return "savepoint";
        }
        return checkpoint.unaligned() ? "checkpoint (unaligned)" : "checkpoint";
    }

    private static String colour(CheckpointStats checkpoint) {
        if (checkpoint.status() == CheckpointStats.Status.FAILED) {
            return FAILED;
        }
        if (checkpoint.savepoint()) {
            return SAVEPOINT;
        }
        return checkpoint.unaligned() ? UNALIGNED : COMPLETED;
    }

    private static long percentile(List<Long> sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    /** A tick interval giving some 5-10 ticks over {@code span} milliseconds. */
    private static long niceTick(long span) {
        long tick = 1;
        while (span / tick > 10) {
            long next = tick * 2;
            if (span / next <= 10) {
                return next;
            }
            next = tick * 5;
            if (span / next <= 10) {
                return next;
            }
            tick *= 10;
        }
        return tick;
    }

    private static String duration(long millis) {
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
