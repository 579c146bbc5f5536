package dev.snapflow.engine.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pure packages hold logic that must be testable without an actor system: they must not
 * import Akka. Reads the sources, so it runs from the module directory (Surefire's default).
 */
class PurePackagesTest {

    private static final List<String> PURE_PACKAGES = List.of(
            "dev/snapflow/engine/state",
            "dev/snapflow/engine/graph",
            "dev/snapflow/engine/runtime/gate",
            "dev/snapflow/engine/checkpoint/barrier");

    @Test
    void when_a_pure_package_imports_akka_then_the_build_fails() throws IOException {
        Path sources = Path.of("src/main/java");
        List<String> violations = new ArrayList<>();
        int checked = 0;
        for (String pkg : PURE_PACKAGES) {
            Path dir = sources.resolve(pkg);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    checked++;
                    for (String line : Files.readAllLines(file)) {
                        if (line.startsWith("import akka.") || line.startsWith("import static akka.")) {
                            violations.add(file + ": " + line);
                        }
                    }
                }
            }
        }
        assertThat(checked).as("source files found in the pure packages").isPositive();
        assertThat(violations).isEmpty();
    }
}
