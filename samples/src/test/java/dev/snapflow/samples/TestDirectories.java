package dev.snapflow.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Deletes the directories of sample tests. A job's last checkpoint writes and deletions run on
 * the blocking-IO dispatcher and may still touch the directory for a moment after the job ended,
 * so the deletion tolerates files that vanish or appear while it walks, and walks again.
 */
public final class TestDirectories {

    private TestDirectories() {
    }

    public static void deleteTree(Path directory) {
        for (int attempt = 0; attempt < 5 && Files.exists(directory); attempt++) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException | UncheckedIOException changedWhileWalking) {
                // Walk again.
            }
        }
    }
}
