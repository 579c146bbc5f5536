package dev.snapflow.samples;

import dev.snapflow.engine.JobHandle;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** {@code -Dreport=<file.html>}: a sample or benchmark writes its job's HTML checkpoint report there. */
public final class CheckpointReports {

    public static final String PROPERTY = "report";

    private CheckpointReports() {
    }

    /** Writes {@code job}'s report if {@code -Dreport} names a file, saying where on {@code out}. */
    public static void writeIfAsked(JobHandle job, PrintStream out) throws IOException {
        String file = System.getProperty(PROPERTY);
        if (file != null && !file.isBlank()) {
            Path written = job.writeCheckpointReport(Path.of(file));
            out.println("Checkpoint report: " + written.toAbsolutePath());
        }
    }
}
