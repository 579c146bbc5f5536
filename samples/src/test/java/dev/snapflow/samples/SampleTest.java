package dev.snapflow.samples;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the sample tests share: an actor test kit for the class, and a directory for the sample's
 * checkpoints and output, deleted after each test. A job's last checkpoint writes and deletions
 * run on the blocking-IO dispatcher and may still touch the directory for a moment after the job
 * ended, so the deletion tolerates files that vanish or appear while it walks, and walks again.
 */
public abstract class SampleTest {

    protected static ActorTestKit testKit;

    @TempDir(cleanup = CleanupMode.NEVER)
    protected Path directory;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @AfterEach
    void deleteDirectory() {
        for (int attempt = 0; attempt < 5 && Files.exists(directory); attempt++) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException | UncheckedIOException changedWhileWalking) {
                // Walk again.
            }
        }
    }
}
