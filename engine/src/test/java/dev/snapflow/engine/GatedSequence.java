package dev.snapflow.engine;

import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.ReadStatus;
import dev.snapflow.engine.api.Source;
import dev.snapflow.engine.api.SourceReader;
import dev.snapflow.engine.connectors.Sources;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The numbers 0..count-1, split like {@link Sources#sequence}, each subtask pausing once its
 * position reaches the gate, so that tests can checkpoint or fail a job at a known point.
 */
final class GatedSequence implements Source<Long> {

    private final long count;
    private final AtomicLong allowedPerSubtask;

    /** @param allowedPerSubtask how many records each source subtask may emit; raise it to let them go on */
    GatedSequence(long count, AtomicLong allowedPerSubtask) {
        this.count = count;
        this.allowedPerSubtask = allowedPerSubtask;
    }

    @Override
    public SourceReader<Long> createReader(int subtaskIndex, int parallelism) throws Exception {
        SourceReader<Long> numbers = Sources.sequence(0, count - 1).createReader(subtaskIndex, parallelism);
        return new SourceReader<>() {
            private boolean ended;

            @Override
            public ReadStatus read(Collector<Long> output, int maxRecords) throws Exception {
                long allowed = allowedPerSubtask.get() - numbers.position();
                if (ended) {
                    return ReadStatus.END_OF_INPUT;
                }
                if (allowed <= 0) {
                    return ReadStatus.NOTHING_AVAILABLE;
                }
                ReadStatus status = numbers.read(output, (int) Math.min(maxRecords, allowed));
                ended = status == ReadStatus.END_OF_INPUT;
                return status == ReadStatus.END_OF_INPUT ? status : ReadStatus.MORE_AVAILABLE;
            }

            @Override
            public long position() {
                return numbers.position();
            }

            @Override
            public void seek(long position) throws Exception {
                numbers.seek(position);
            }
        };
    }
}
