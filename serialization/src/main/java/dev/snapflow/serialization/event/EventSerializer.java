package dev.snapflow.serialization.event;

import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;

import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns events into bytes and back: a 4-byte big-endian type tag, then the event's payload.
 *
 * <p>Tags 0–10 and their payloads are Apache Flink 1.20's, byte for byte; Snapflow's own
 * {@link ChannelUnavailableEvent} uses tag {@value #CHANNEL_UNAVAILABLE_EVENT}. Decoding tolerates
 * trailing bytes after a complete event (Flink pads barriers) and reports every kind of bad input
 * as an {@link IOException} that says what is wrong; it never allocates according to a length it
 * has not checked against the bytes present. See {@code src/site/markdown/wire-format.md}.
 */
public final class EventSerializer {

    public static final int END_OF_PARTITION_EVENT = 0;
    public static final int CHECKPOINT_BARRIER_EVENT = 1;
    public static final int END_OF_SUPERSTEP_EVENT = 2;
    public static final int OTHER_EVENT = 3;
    public static final int CANCEL_CHECKPOINT_MARKER_EVENT = 4;
    public static final int END_OF_CHANNEL_STATE_EVENT = 5;
    public static final int ANNOUNCEMENT_EVENT = 6;
    public static final int VIRTUAL_CHANNEL_SELECTOR_EVENT = 7;
    public static final int END_OF_USER_RECORDS_EVENT = 8;
    public static final int END_OF_SEGMENT = 9;
    public static final int RECOVERY_METADATA = 10;
    /** Snapflow's own tag, well clear of Flink's 0–10 so that future Flink tags cannot collide. */
    public static final int CHANNEL_UNAVAILABLE_EVENT = 64;

    // Snapshot type codes are fixed constants, not enum ordinals, as in Flink.
    private static final byte CHECKPOINT_CODE = 0;
    private static final byte SAVEPOINT_CODE = 1;
    private static final byte SAVEPOINT_SUSPEND_CODE = 2;
    private static final byte SAVEPOINT_TERMINATE_CODE = 3;
    private static final byte FULL_CHECKPOINT_CODE = 4;

    private static final int DEFAULT_LOCATION_LENGTH = -1;

    private EventSerializer() {
    }

    /**
     * Serializes {@code event} into a new heap buffer in big-endian order, positioned at 0 with
     * its limit at the end of the event.
     *
     * @throws IOException if a user event's {@code write} fails
     */
    public static ByteBuffer toSerializedEvent(Event event) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        write(event, out);
        return ByteBuffer.wrap(out.toByteArray());
    }

    /**
     * Decodes one event from the buffer's readable bytes, accepting no user event (the safe
     * default); see {@link #fromSerializedEvent(ByteBuffer, ClassLoader, EventAllowList)}.
     */
    public static Event fromSerializedEvent(ByteBuffer buffer, ClassLoader classLoader) throws IOException {
        return fromSerializedEvent(buffer, classLoader, EventAllowList.none());
    }

    /**
     * Decodes one event from the buffer's readable bytes. The buffer's position advances past the
     * event; bytes after it are left unread. The buffer's byte order is restored afterwards.
     *
     * @param classLoader loads user event classes that {@code allowList} accepts
     * @throws IOException for any input that is not a complete, valid event
     */
    public static Event fromSerializedEvent(ByteBuffer buffer, ClassLoader classLoader, EventAllowList allowList)
            throws IOException {
        if (buffer.remaining() < 4) {
            throw new IOException("Incomplete event: " + buffer.remaining() + " bytes, a type tag needs 4");
        }
        ByteOrder order = buffer.order();
        buffer.order(ByteOrder.BIG_ENDIAN);
        try {
            return read(new ByteBufferDataInput(buffer), classLoader, allowList, false);
        } finally {
            buffer.order(order);
        }
    }

    /** Writes {@code event} (tag and payload) to {@code out}. */
    public static void write(Event event, ByteArrayDataOutput out) throws IOException {
        if (event instanceof EndOfPartitionEvent) {
            out.writeInt(END_OF_PARTITION_EVENT);
        } else if (event instanceof CheckpointBarrier barrier) {
            out.writeInt(CHECKPOINT_BARRIER_EVENT);
            writeBarrierPayload(barrier, out);
        } else if (event instanceof EndOfSuperstepEvent) {
            out.writeInt(END_OF_SUPERSTEP_EVENT);
        } else if (event instanceof CancelCheckpointMarker marker) {
            out.writeInt(CANCEL_CHECKPOINT_MARKER_EVENT);
            out.writeLong(marker.checkpointId());
        } else if (event instanceof EndOfChannelStateEvent) {
            out.writeInt(END_OF_CHANNEL_STATE_EVENT);
        } else if (event instanceof EventAnnouncement announcement) {
            out.writeInt(ANNOUNCEMENT_EVENT);
            out.writeInt(announcement.sequenceNumber());
            write(announcement.announcedEvent(), out);
        } else if (event instanceof SubtaskConnectionDescriptor descriptor) {
            out.writeInt(VIRTUAL_CHANNEL_SELECTOR_EVENT);
            out.writeInt(descriptor.inputSubtaskIndex());
            out.writeInt(descriptor.outputSubtaskIndex());
        } else if (event instanceof EndOfData endOfData) {
            out.writeInt(END_OF_USER_RECORDS_EVENT);
            out.writeByte(endOfData.stopMode().ordinal());
        } else if (event instanceof EndOfSegmentEvent) {
            out.writeInt(END_OF_SEGMENT);
        } else if (event instanceof RecoveryMetadata metadata) {
            out.writeInt(RECOVERY_METADATA);
            out.writeInt(metadata.finalBufferSubpartitionId());
        } else if (event instanceof ChannelUnavailableEvent unavailable) {
            out.writeInt(CHANNEL_UNAVAILABLE_EVENT);
            out.writeInt(unavailable.channelIndex());
        } else if (event instanceof UserEvent userEvent) {
            out.writeInt(OTHER_EVENT);
            out.writeUTF(userEvent.getClass().getName());
            userEvent.write(out);
        } else {
            // Unreachable while Event stays sealed; a clear message if a permitted type is added.
            throw new IOException("No wire format for event type " + event.getClass().getName());
        }
    }

    private static void writeBarrierPayload(CheckpointBarrier barrier, ByteArrayDataOutput out) {
        CheckpointOptions options = barrier.options();
        out.writeLong(barrier.id());
        out.writeLong(barrier.timestamp());
        SnapshotType type = options.snapshotType();
        out.writeByte(snapshotTypeCode(type));
        if (type instanceof SavepointType savepoint) {
            out.writeByte(savepoint.format().ordinal());
        }
        CheckpointStorageLocationReference location = options.targetLocation();
        if (location.isDefault()) {
            out.writeInt(DEFAULT_LOCATION_LENGTH);
        } else {
            byte[] bytes = location.referenceBytes();
            out.writeInt(bytes.length);
            out.write(bytes);
        }
        out.writeByte(options.alignment().ordinal());
        out.writeLong(options.alignedCheckpointTimeout());
    }

    private static byte snapshotTypeCode(SnapshotType type) {
        if (type == CheckpointType.CHECKPOINT) {
            return CHECKPOINT_CODE;
        }
        if (type == CheckpointType.FULL_CHECKPOINT) {
            return FULL_CHECKPOINT_CODE;
        }
        return switch (((SavepointType) type).postAction()) {
            case NONE -> SAVEPOINT_CODE;
            case SUSPEND -> SAVEPOINT_SUSPEND_CODE;
            case TERMINATE -> SAVEPOINT_TERMINATE_CODE;
        };
    }

    private static Event read(ByteBufferDataInput in, ClassLoader classLoader, EventAllowList allowList, boolean nested)
            throws IOException {
        if (in.remaining() < 4) {
            throw new IOException("Incomplete event: " + in.remaining() + " bytes, a type tag needs 4");
        }
        int tag = in.readInt();
        try {
            return switch (tag) {
                case END_OF_PARTITION_EVENT -> EndOfPartitionEvent.INSTANCE;
                case CHECKPOINT_BARRIER_EVENT -> readBarrier(in);
                case END_OF_SUPERSTEP_EVENT -> EndOfSuperstepEvent.INSTANCE;
                case OTHER_EVENT -> readUserEvent(in, classLoader, allowList);
                case CANCEL_CHECKPOINT_MARKER_EVENT -> new CancelCheckpointMarker(in.readLong());
                case END_OF_CHANNEL_STATE_EVENT -> EndOfChannelStateEvent.INSTANCE;
                case ANNOUNCEMENT_EVENT -> readAnnouncement(in, classLoader, allowList, nested);
                case VIRTUAL_CHANNEL_SELECTOR_EVENT -> new SubtaskConnectionDescriptor(in.readInt(), in.readInt());
                case END_OF_USER_RECORDS_EVENT -> new EndOfData(readStopMode(in));
                case END_OF_SEGMENT -> EndOfSegmentEvent.INSTANCE;
                case RECOVERY_METADATA -> new RecoveryMetadata(in.readInt());
                case CHANNEL_UNAVAILABLE_EVENT -> new ChannelUnavailableEvent(in.readInt());
                default -> throw new IOException("Corrupt byte stream for event: unknown type tag " + tag);
            };
        } catch (EOFException e) {
            throw new IOException("Truncated " + eventName(tag) + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IOException("Corrupt " + eventName(tag) + ": " + e.getMessage(), e);
        }
    }

    private static CheckpointBarrier readBarrier(ByteBufferDataInput in) throws IOException {
        long id = in.readLong();
        long timestamp = in.readLong();
        SnapshotType type = readSnapshotType(in);
        int locationLength = in.readInt();
        CheckpointStorageLocationReference location;
        if (locationLength == DEFAULT_LOCATION_LENGTH) {
            location = CheckpointStorageLocationReference.DEFAULT;
        } else if (locationLength <= 0) {
            throw new IOException("Corrupt checkpoint barrier: location reference length " + locationLength
                    + " (must be -1 for the default location, or positive)");
        } else {
            location = CheckpointStorageLocationReference.of(in.readByteArray(locationLength, "the location reference"));
        }
        AlignmentType alignment = readCode(in, AlignmentType.values(), "Corrupt checkpoint barrier: unknown alignment type code");
        long timeout = in.readLong();
        return new CheckpointBarrier(id, timestamp, new CheckpointOptions(type, location, alignment, timeout));
    }

    private static SnapshotType readSnapshotType(ByteBufferDataInput in) throws IOException {
        int code = in.readByte();
        return switch (code) {
            case CHECKPOINT_CODE -> CheckpointType.CHECKPOINT;
            case FULL_CHECKPOINT_CODE -> CheckpointType.FULL_CHECKPOINT;
            case SAVEPOINT_CODE -> new SavepointType(SavepointType.PostAction.NONE, readSavepointFormat(in));
            case SAVEPOINT_SUSPEND_CODE -> new SavepointType(SavepointType.PostAction.SUSPEND, readSavepointFormat(in));
            case SAVEPOINT_TERMINATE_CODE -> new SavepointType(SavepointType.PostAction.TERMINATE, readSavepointFormat(in));
            default -> throw new IOException("Corrupt checkpoint barrier: unknown checkpoint type code " + code);
        };
    }

    private static SavepointFormatType readSavepointFormat(ByteBufferDataInput in) throws IOException {
        return readCode(in, SavepointFormatType.values(), "Corrupt checkpoint barrier: unknown savepoint format type code");
    }

    private static StopMode readStopMode(ByteBufferDataInput in) throws IOException {
        return readCode(in, StopMode.values(), "Corrupt end-of-data event: unknown stop mode code");
    }

    /** Reads a one-byte code that is an index into {@code values}; any other value is corrupt. */
    private static <E> E readCode(ByteBufferDataInput in, E[] values, String unknownCodeMessage) throws IOException {
        int code = in.readUnsignedByte();
        if (code >= values.length) {
            throw new IOException(unknownCodeMessage + " " + code);
        }
        return values[code];
    }

    private static EventAnnouncement readAnnouncement(
            ByteBufferDataInput in, ClassLoader classLoader, EventAllowList allowList, boolean nested) throws IOException {
        if (nested) {
            throw new IOException("Corrupt event announcement: an announcement cannot announce another announcement");
        }
        int sequenceNumber = in.readInt();
        return new EventAnnouncement(read(in, classLoader, allowList, true), sequenceNumber);
    }

    private static UserEvent readUserEvent(ByteBufferDataInput in, ClassLoader classLoader, EventAllowList allowList)
            throws IOException {
        String className;
        try {
            className = in.readUTF();
        } catch (UTFDataFormatException e) {
            throw new IOException("Corrupt user event: the class name is not valid modified UTF-8", e);
        }
        if (!allowList.allows(className)) {
            throw new IOException("Event class '" + className + "' is not on the event allow-list"
                    + " (snapflow.serialization.allowed-event-classes); refusing to load it");
        }
        Class<?> loaded;
        try {
            // initialize = false: no static initializer runs before the subtype check below.
            loaded = Class.forName(className, false, classLoader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IOException("Could not load event class '" + className + "'", e);
        }
        if (!UserEvent.class.isAssignableFrom(loaded)) {
            throw new IOException("The class '" + className + "' is not a valid subclass of " + UserEvent.class.getName());
        }
        UserEvent event;
        try {
            if (Modifier.isAbstract(loaded.getModifiers())) {
                throw new IOException("The event class '" + className + "' is abstract");
            }
            Constructor<? extends UserEvent> constructor = loaded.asSubclass(UserEvent.class).getConstructor();
            event = constructor.newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            throw new IOException("Error while instantiating event class '" + className
                    + "'; it needs a public no-argument constructor", e);
        }
        try {
            event.read(in);
        } catch (IOException | RuntimeException e) {
            throw new IOException("Error while deserializing event of class '" + className + "': " + e.getMessage(), e);
        }
        return event;
    }

    private static String eventName(int tag) {
        return switch (tag) {
            case END_OF_PARTITION_EVENT -> "end-of-partition event";
            case CHECKPOINT_BARRIER_EVENT -> "checkpoint barrier";
            case END_OF_SUPERSTEP_EVENT -> "end-of-superstep event";
            case OTHER_EVENT -> "user event";
            case CANCEL_CHECKPOINT_MARKER_EVENT -> "cancel checkpoint marker";
            case END_OF_CHANNEL_STATE_EVENT -> "end-of-channel-state event";
            case ANNOUNCEMENT_EVENT -> "event announcement";
            case VIRTUAL_CHANNEL_SELECTOR_EVENT -> "subtask connection descriptor";
            case END_OF_USER_RECORDS_EVENT -> "end-of-data event";
            case END_OF_SEGMENT -> "end-of-segment event";
            case RECOVERY_METADATA -> "recovery metadata event";
            case CHANNEL_UNAVAILABLE_EVENT -> "channel-unavailable event";
            default -> "event with tag " + tag;
        };
    }
}
