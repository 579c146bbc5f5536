package dev.snapflow.samples.bench;

import dev.snapflow.serialization.buffer.Buffer;
import dev.snapflow.serialization.buffer.BufferSerializer;
import dev.snapflow.serialization.buffer.RecordBatchBuilder;
import dev.snapflow.serialization.buffer.RecordBatchReader;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.CheckpointOptions;
import dev.snapflow.serialization.event.CheckpointStorageLocationReference;
import dev.snapflow.serialization.event.CheckpointType;
import dev.snapflow.serialization.event.Event;
import dev.snapflow.serialization.event.EventSerializer;
import dev.snapflow.serialization.record.RecordSerializers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * Measures the serialization layer: events serialized and deserialized per second, and a
 * 32 KiB buffer of {@code long} records built and read back (records/s and MB/s).
 *
 * <p>Each figure runs for {@code -Dwarmup} seconds untimed, then {@code -Dseconds} seconds timed,
 * and prints one {@code RESULT bench=serialization figure=... } line. Compare runs on a quiet
 * machine and several times; a single run is noisy. The checksum keeps the JIT from discarding
 * the work and must be the same for the same parameters.
 */
public final class SerializationBench {

    /** The buffer size of the record figures: Flink's default memory segment size. */
    static final int BUFFER_BYTES = 32 * 1024;

    private final double warmupSeconds;
    private final double seconds;
    private final PrintStream out;
    private long checksum;

    SerializationBench(double warmupSeconds, double seconds, PrintStream out) {
        this.warmupSeconds = warmupSeconds;
        this.seconds = seconds;
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        double warmup = Double.parseDouble(System.getProperty("warmup", "2"));
        double seconds = Double.parseDouble(System.getProperty("seconds", "3"));
        new SerializationBench(warmup, seconds, System.out).runAll();
    }

    void runAll() throws IOException {
        out.printf("# SerializationBench warmup=%.1fs seconds=%.1fs buffer_bytes=%d java=%s cores=%d%n",
                warmupSeconds, seconds, BUFFER_BYTES, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        CheckpointBarrier barrier = new CheckpointBarrier(42, System.currentTimeMillis(),
                CheckpointOptions.alignedWithTimeout(CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.DEFAULT, 30_000));
        ByteBuffer serializedBarrier = EventSerializer.toSerializedEvent(barrier);
        ClassLoader classLoader = getClass().getClassLoader();

        measureEvents("barrier_serialize", () -> checksum += EventSerializer.toSerializedEvent(barrier).limit());
        measureEvents("barrier_deserialize", () -> {
            Event event = EventSerializer.fromSerializedEvent(serializedBarrier.duplicate(), classLoader);
            checksum += ((CheckpointBarrier) event).id();
        });

        int recordsPerBuffer = recordsPerBuffer();
        RecordBatchBuilder<Long> builder = new RecordBatchBuilder<>(RecordSerializers.longs(), BUFFER_BYTES);
        measureRecords("long_buffer_serialize", recordsPerBuffer, () -> {
            for (long i = 0; i < recordsPerBuffer; i++) {
                builder.add(i);
            }
            Buffer buffer = builder.finish();
            checksum += BufferSerializer.toBytes(buffer).length;
        });
        for (long i = 0; i < recordsPerBuffer; i++) {
            builder.add(i);
        }
        byte[] wire = BufferSerializer.toBytes(builder.finish());
        measureRecords("long_buffer_deserialize", recordsPerBuffer, () -> {
            Buffer buffer = BufferSerializer.fromBytes(wire);
            RecordBatchReader.forEach(buffer, RecordSerializers.longs(), value -> checksum += value);
        });
        out.printf("# checksum=%d%n", checksum);
    }

    /** Records of 4-byte length + 8-byte long that fit in one buffer. */
    static int recordsPerBuffer() {
        return BUFFER_BYTES / (4 + Long.BYTES);
    }

    @FunctionalInterface
    interface Work {
        void run() throws IOException;
    }

    private record Measurement(long operations, double seconds) {
        double perSecond(double unitsPerOperation) {
            return operations * unitsPerOperation / seconds;
        }
    }

    private void measureEvents(String figure, Work work) throws IOException {
        Measurement m = time(work, 1000);
        out.printf("RESULT bench=serialization figure=%s events_per_s=%.0f%n", figure, m.perSecond(1));
    }

    private void measureRecords(String figure, int recordsPerBuffer, Work work) throws IOException {
        Measurement m = time(work, 1);
        out.printf("RESULT bench=serialization figure=%s records_per_s=%.0f mb_per_s=%.1f buffers=%d%n",
                figure, m.perSecond(recordsPerBuffer), m.perSecond(BUFFER_BYTES / (1024.0 * 1024.0)), m.operations());
    }

    /** Runs {@code work} in batches of {@code batch}: untimed for the warm-up, then timed. */
    private Measurement time(Work work, int batch) throws IOException {
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        while (System.nanoTime() < warmupEnd) {
            for (int i = 0; i < batch; i++) {
                work.run();
            }
        }
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long operations = 0;
        long now;
        do {
            for (int i = 0; i < batch; i++) {
                work.run();
            }
            operations += batch;
            now = System.nanoTime();
        } while (now < end);
        return new Measurement(operations, (now - start) / 1e9);
    }
}
