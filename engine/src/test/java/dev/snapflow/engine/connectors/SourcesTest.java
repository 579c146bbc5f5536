package dev.snapflow.engine.connectors;

import dev.snapflow.engine.api.ReadStatus;
import dev.snapflow.engine.api.Source;
import dev.snapflow.engine.api.SourceReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourcesTest {

    @TempDir
    Path tempDir;

    /** Reads all of a reader, in reads of {@code chunk} records. */
    private static <T> List<T> readAll(SourceReader<T> reader, int chunk) throws Exception {
        List<T> out = new ArrayList<>();
        ReadStatus status;
        do {
            status = reader.read(out::add, chunk);
        } while (status == ReadStatus.MORE_AVAILABLE);
        assertThat(status).isEqualTo(ReadStatus.END_OF_INPUT);
        return out;
    }

    private static <T> List<T> readAllSubtasks(Source<T> source, int parallelism, int chunk) throws Exception {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            SourceReader<T> reader = source.createReader(i, parallelism);
            try {
                out.addAll(readAll(reader, chunk));
            } finally {
                reader.close();
            }
        }
        return out;
    }

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {1, 2, 3, 7})
    void when_a_sequence_is_split_then_the_slices_cover_it_exactly_once_in_order(int parallelism) throws Exception {
        assertThat(readAllSubtasks(Sources.sequence(-5, 1000), parallelism, 64))
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(-5, 1000).boxed().toList());
    }

    @Test
    void when_a_huge_generator_is_split_then_slices_do_not_overflow() throws Exception {
        SourceReader<Long> second = Sources.generator(Long.MAX_VALUE, i -> i).createReader(1, 2);
        List<Long> first = new ArrayList<>();
        second.read(first::add, 2);

        assertThat(first).containsExactly(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2 + 1);
    }

    @Test
    void when_a_reader_seeks_back_then_it_replays_the_same_records() throws Exception {
        SourceReader<Long> reader = Sources.sequence(1, 100).createReader(0, 1);
        List<Long> ignored = new ArrayList<>();
        reader.read(ignored::add, 10);
        long position = reader.position();
        List<Long> first = new ArrayList<>();
        reader.read(first::add, 20);

        reader.seek(position);
        List<Long> replay = new ArrayList<>();
        reader.read(replay::add, 20);

        assertThat(position).isEqualTo(10);
        assertThat(replay).isEqualTo(first).startsWith(11L);
    }

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {1, 2, 3, 5, 16})
    void when_a_file_is_split_by_bytes_then_every_line_is_read_exactly_once(int parallelism) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            lines.add(i % 50 == 0 ? "" : "line " + i + " ✓".repeat(i % 7));
        }
        Path file = tempDir.resolve("lines.txt");
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);

        assertThat(readAllSubtasks(Sources.fileLines(file), parallelism, 13)).containsExactlyElementsOf(lines);
    }

    @Test
    void when_a_file_has_crlf_and_no_final_newline_then_lines_are_clean() throws Exception {
        Path file = tempDir.resolve("crlf.txt");
        Files.writeString(file, "one\r\ntwo\r\nthree", StandardCharsets.UTF_8);

        assertThat(readAllSubtasks(Sources.fileLines(file), 2, 1)).containsExactly("one", "two", "three");
    }

    @Test
    void when_a_file_reader_seeks_to_a_position_then_it_continues_from_that_line() throws Exception {
        Path file = tempDir.resolve("seek.txt");
        Files.writeString(file, "a\nbb\nccc\ndddd\n", StandardCharsets.UTF_8);
        SourceReader<String> reader = Sources.fileLines(file).createReader(0, 1);
        List<String> first = new ArrayList<>();
        reader.read(first::add, 2);
        long position = reader.position();
        List<String> rest = readAll(reader, 10);

        reader.seek(position);

        assertThat(first).containsExactly("a", "bb");
        assertThat(position).isEqualTo(5);
        assertThat(readAll(reader, 10)).isEqualTo(rest).containsExactly("ccc", "dddd");
        reader.close();
    }

    @Test
    void when_a_collection_source_is_split_then_each_subtask_reads_a_contiguous_slice() throws Exception {
        Source<String> source = Sources.collection(List.of("a", "b", "c", "d", "e"));

        assertThat(readAll(source.createReader(0, 2), 10)).containsExactly("a", "b");
        assertThat(readAll(source.createReader(1, 2), 10)).containsExactly("c", "d", "e");
    }

    @Test
    void when_a_sequence_is_backwards_then_it_is_refused() {
        assertThatThrownBy(() -> Sources.sequence(5, 1)).hasMessage("A sequence needs from <= to, was 5..1");
    }
}
