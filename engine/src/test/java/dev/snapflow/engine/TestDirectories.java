package dev.snapflow.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Deletes checkpoint directories of tests. A stopped job's last snapshot writes and deletions run
 * on the blocking-IO dispatcher and may still touch the directory for a moment, so the deletion
 * tolerates files that vanish or appear while it walks, and walks again.
 */
final class TestDirectories {

    private TestDirectories() {
    }

    static void deleteTree(Path directory) {
        for (int attempt = 0; attempt < 5 && Files.exists(directory); attempt++) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException | UncheckedIOException changedWhileWalking) {
                // Walk again.
            }
        }
    }
}
