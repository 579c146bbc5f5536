package dev.snapflow.serialization.event;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * Seeded fuzzing of the event decoder: random byte arrays and mutations of valid events must
 * produce an event or an {@link IOException}, never another exception, an error or a hang.
 * A failure prints the seed and the input so that it can be replayed.
 */
class EventSerializerFuzzTest {

    private static final long SEED = 0x5EEDF00DL;
    private static final int INPUTS = 100_000;
    private static final int[] TAGS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 64};

    /** The safety net against a hang; not a performance assertion. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void when_input_is_random_or_mutated_then_only_io_exceptions_come_out() throws IOException {
        Random random = new Random(SEED);
        List<byte[]> valid = validEvents(random);
        EventAllowList allowList = EventAllowList.ofClasses(TestUserEvents.Greeting.class);
        ClassLoader classLoader = getClass().getClassLoader();
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < INPUTS; i++) {
            byte[] input = (i % 2 == 0) ? randomInput(random) : mutate(valid.get(random.nextInt(valid.size())), random);
            try {
                EventSerializer.fromSerializedEvent(ByteBuffer.wrap(input), classLoader, allowList);
                decoded++;
            } catch (IOException expected) {
                rejected++;
            } catch (Throwable unexpected) {
                fail("Input " + i + " (seed " + SEED + ", bytes " + HexFormat.of().formatHex(input) + ") threw "
                        + unexpected, unexpected);
            }
        }
        // Both outcomes must actually occur, or the generator is not exercising the decoder.
        if (decoded < INPUTS / 100 || rejected < INPUTS / 100) {
            fail("Fuzzing was one-sided: " + decoded + " decoded, " + rejected + " rejected");
        }
    }

    private static List<byte[]> validEvents(Random random) throws IOException {
        List<byte[]> valid = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Event event = randomEvent(random);
            if (random.nextInt(5) == 0) {
                event = new EventAnnouncement(event, random.nextInt());
            }
            valid.add(EventSerializer.toSerializedEvent(event).array());
        }
        return valid;
    }

    private static Event randomEvent(Random random) {
        int index = random.nextInt(Integer.MAX_VALUE);
        return switch (random.nextInt(12)) {
            case 0 -> EndOfPartitionEvent.INSTANCE;
            case 1 -> EndOfSuperstepEvent.INSTANCE;
            case 2 -> EndOfChannelStateEvent.INSTANCE;
            case 3 -> EndOfSegmentEvent.INSTANCE;
            case 4 -> new CancelCheckpointMarker(index);
            case 5 -> new SubtaskConnectionDescriptor(index, random.nextInt(8));
            case 6 -> new EndOfData(random.nextBoolean() ? StopMode.DRAIN : StopMode.NO_DRAIN);
            case 7 -> new RecoveryMetadata(index);
            case 8 -> new ChannelUnavailableEvent(index);
            case 9 -> new TestUserEvents.Greeting("g" + index);
            default -> new CheckpointBarrier(index, random.nextLong(), randomOptions(random));
        };
    }

    private static CheckpointOptions randomOptions(Random random) {
        CheckpointStorageLocationReference location = CheckpointStorageLocationReference.DEFAULT;
        if (random.nextBoolean()) {
            byte[] bytes = new byte[1 + random.nextInt(12)];
            random.nextBytes(bytes);
            location = CheckpointStorageLocationReference.of(bytes);
        }
        return switch (random.nextInt(5)) {
            case 0 -> CheckpointOptions.aligned(CheckpointType.CHECKPOINT, location);
            case 1 -> CheckpointOptions.unaligned(CheckpointType.FULL_CHECKPOINT, location);
            case 2 -> CheckpointOptions.alignedWithTimeout(CheckpointType.CHECKPOINT, location, 1 + random.nextInt(10_000));
            case 3 -> CheckpointOptions.atLeastOnce(CheckpointType.CHECKPOINT, location);
            default -> CheckpointOptions.aligned(new SavepointType(
                    SavepointType.PostAction.values()[random.nextInt(3)],
                    SavepointFormatType.values()[random.nextInt(2)]), location);
        };
    }

    private static byte[] randomInput(Random random) {
        byte[] bytes = new byte[random.nextInt(64)];
        random.nextBytes(bytes);
        if (bytes.length >= 4 && random.nextInt(4) != 0) {
            ByteBuffer.wrap(bytes).putInt(0, TAGS[random.nextInt(TAGS.length)]);
        }
        return bytes;
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] bytes = original.clone();
        switch (random.nextInt(5)) {
            case 0 -> { // flip a few bits
                for (int flips = 1 + random.nextInt(3); flips > 0 && bytes.length > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> { // truncate
                bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            }
            case 2 -> { // overwrite an int with an extreme value (lengths, codes, ids)
                if (bytes.length >= 4) {
                    int[] extremes = {-1, -2, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xFFFF, 1 << 20};
                    ByteBuffer.wrap(bytes).putInt(random.nextInt(bytes.length - 3), extremes[random.nextInt(extremes.length)]);
                }
            }
            case 3 -> { // random byte values
                for (int n = 1 + random.nextInt(4); n > 0 && bytes.length > 0; n--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            default -> { // splice a random tail
                int cut = random.nextInt(bytes.length + 1);
                byte[] tail = new byte[random.nextInt(16)];
                random.nextBytes(tail);
                byte[] spliced = java.util.Arrays.copyOf(bytes, cut + tail.length);
                System.arraycopy(tail, 0, spliced, cut, tail.length);
                bytes = spliced;
            }
        }
        return bytes;
    }
}
