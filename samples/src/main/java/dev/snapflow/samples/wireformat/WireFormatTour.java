package dev.snapflow.samples.wireformat;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import dev.snapflow.serialization.buffer.Buffer;
import dev.snapflow.serialization.buffer.BufferSerializer;
import dev.snapflow.serialization.buffer.RecordBatchBuilder;
import dev.snapflow.serialization.buffer.RecordBatchReader;
import dev.snapflow.serialization.event.CancelCheckpointMarker;
import dev.snapflow.serialization.event.ChannelUnavailableEvent;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.CheckpointOptions;
import dev.snapflow.serialization.event.CheckpointStorageLocationReference;
import dev.snapflow.serialization.event.CheckpointType;
import dev.snapflow.serialization.event.EndOfChannelStateEvent;
import dev.snapflow.serialization.event.EndOfData;
import dev.snapflow.serialization.event.EndOfPartitionEvent;
import dev.snapflow.serialization.event.EndOfSegmentEvent;
import dev.snapflow.serialization.event.EndOfSuperstepEvent;
import dev.snapflow.serialization.event.Event;
import dev.snapflow.serialization.event.EventAllowList;
import dev.snapflow.serialization.event.EventAnnouncement;
import dev.snapflow.serialization.event.EventSerializer;
import dev.snapflow.serialization.event.RecoveryMetadata;
import dev.snapflow.serialization.event.SavepointFormatType;
import dev.snapflow.serialization.event.SavepointType;
import dev.snapflow.serialization.event.StopMode;
import dev.snapflow.serialization.event.SubtaskConnectionDescriptor;
import dev.snapflow.serialization.record.RecordSerializer;
import dev.snapflow.serialization.record.RecordSerializers;
import dev.snapflow.serialization.record.Tuple2;

import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

/**
 * A tour of Snapflow's wire format: every runtime event and a buffer of records, serialized,
 * printed as bytes and decoded again, directly and through Akka's serialization (the path they
 * take between cluster nodes).
 *
 * <p>What to look for: each event line shows its 4-byte type tag first (tags 0–10 are Apache
 * Flink's, byte for byte; Snapflow's own channel-unavailable event is tag 64), then its payload.
 * A checkpoint barrier with the default location is 34 bytes, a savepoint barrier 35. The last
 * line is machine-readable: {@code RESULT sample=wireformat ... all_round_trips_equal=true}.
 * Try changing the barrier's options below and watch the alignment byte and timeout change.
 */
public final class WireFormatTour {

    private WireFormatTour() {
    }

    public static void main(String[] args) throws IOException {
        // Initialize logging before Akka starts logging from its own threads, so that SLF4J
        // does not have to buffer and replay those first calls (and warn that it did).
        LoggerFactory.getILoggerFactory();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "wire-format-tour");
        try {
            boolean ok = run(system, System.out);
            if (!ok) {
                System.exit(1);
            }
        } finally {
            system.terminate();
        }
    }

    static List<Event> everyEventKind() {
        CheckpointBarrier timeoutable = new CheckpointBarrier(7, 1_700_000_000_000L, CheckpointOptions.alignedWithTimeout(
                CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.DEFAULT, 30_000));
        return List.of(
                EndOfPartitionEvent.INSTANCE,
                new CheckpointBarrier(7, 1_700_000_000_000L, CheckpointOptions.forCheckpointWithDefaultLocation()),
                new CheckpointBarrier(8, 1_700_000_000_500L, CheckpointOptions.aligned(
                        SavepointType.savepoint(SavepointFormatType.CANONICAL), CheckpointStorageLocationReference.DEFAULT)),
                new CheckpointBarrier(9, 1_700_000_001_000L, CheckpointOptions.unaligned(
                        CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.of("chk-9".getBytes()))),
                EndOfSuperstepEvent.INSTANCE,
                new CancelCheckpointMarker(7),
                EndOfChannelStateEvent.INSTANCE,
                new EventAnnouncement(timeoutable, 3),
                new SubtaskConnectionDescriptor(23, 42),
                new EndOfData(StopMode.DRAIN),
                EndOfSegmentEvent.INSTANCE,
                new RecoveryMetadata(3),
                new ChannelUnavailableEvent(1));
    }

    /** Prints the tour to {@code out}; returns whether every round trip gave back an equal value. */
    static boolean run(ActorSystem<?> system, PrintStream out) throws IOException {
        Serialization akka = SerializationExtension.get(system);
        HexFormat hex = HexFormat.of();
        int events = 0;
        int equal = 0;
        out.printf("%-32s %5s %s%n", "event", "bytes", "wire (tag | payload)");
        for (Event event : everyEventKind()) {
            ByteBuffer bytes = EventSerializer.toSerializedEvent(event);
            String wire = hex.formatHex(bytes.array(), 0, 4) + " | " + hex.formatHex(bytes.array(), 4, bytes.limit());
            Event decoded = EventSerializer.fromSerializedEvent(bytes, WireFormatTour.class.getClassLoader());
            Object viaAkka = akka.deserialize(akka.serialize(event).get(), akka.findSerializerFor(event).identifier(), "E").get();
            boolean same = decoded.equals(event) && viaAkka.equals(event);
            events++;
            equal += same ? 1 : 0;
            out.printf("%-32s %5d %s%s%n", event.getClass().getSimpleName(), bytes.limit(), wire, same ? "" : "  MISMATCH");
        }

        RecordSerializer<Tuple2<String, Long>> wordCounts =
                RecordSerializers.tuple2(RecordSerializers.strings(), RecordSerializers.longs());
        List<Tuple2<String, Long>> records = List.of(Tuple2.of("snap", 3L), Tuple2.of("flow", 5L), Tuple2.of("akka", 8L));
        RecordBatchBuilder<Tuple2<String, Long>> builder = new RecordBatchBuilder<>(wordCounts, 32 * 1024);
        for (Tuple2<String, Long> record : records) {
            builder.add(record);
        }
        Buffer buffer = builder.finish();
        byte[] bufferBytes = BufferSerializer.toBytes(buffer);
        Buffer backFromAkka = (Buffer) akka.deserialize(akka.serialize(buffer).get(), akka.findSerializerFor(buffer).identifier(), "B").get();
        List<Tuple2<String, Long>> decodedRecords = RecordBatchReader.readAll(BufferSerializer.fromBytes(bufferBytes), wordCounts);
        boolean bufferSame = decodedRecords.equals(records) && backFromAkka.equals(buffer);
        out.printf("%nData buffer of %d (word, count) records: %d bytes%n  %s%n  decoded: %s%s%n",
                records.size(), bufferBytes.length, hex.formatHex(bufferBytes), decodedRecords, bufferSame ? "" : "  MISMATCH");

        Buffer barrierBuffer = Buffer.forEvent(everyEventKind().get(1), false);
        out.printf("An aligned barrier travels as %s; an unaligned one with priority as %s.%n",
                barrierBuffer.dataType(), Buffer.forEvent(everyEventKind().get(3), true).dataType());
        out.printf("Decoding a user event not on the allow-list: %s%n", refusedUserEvent());

        boolean allEqual = equal == events && bufferSame;
        out.printf("RESULT sample=wireformat events=%d events_round_trip_equal=%d buffer_records=%d all_round_trips_equal=%s%n",
                events, equal, decodedRecords.size(), allEqual);
        return allEqual;
    }

    private static String refusedUserEvent() {
        byte[] forged = new byte[4 + 2 + "java.lang.Runtime".length()];
        ByteBuffer.wrap(forged).putInt(EventSerializer.OTHER_EVENT).putShort((short) "java.lang.Runtime".length())
                .put("java.lang.Runtime".getBytes());
        try {
            EventSerializer.fromSerializedEvent(ByteBuffer.wrap(forged), WireFormatTour.class.getClassLoader(), EventAllowList.none());
            return "accepted (unexpected)";
        } catch (IOException refused) {
            return "refused: " + refused.getMessage();
        }
    }
}
