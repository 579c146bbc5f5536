package dev.snapflow.engine.runtime.channel;

import dev.snapflow.serialization.buffer.DataType;
import dev.snapflow.serialization.event.Event;
import dev.snapflow.serialization.event.EventAllowList;
import dev.snapflow.serialization.event.EventSerializer;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.ValueCodec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a channel's deliveries cross nodes: each record batch is written once into a buffer of the
 * serialization module's format (a data type byte, then length-prefixed records, here written by
 * one {@link ValueCodec} stream per buffer), each event into an event buffer by
 * {@link EventSerializer} (a priority event keeps its priority type), so the bytes read back with
 * {@code BufferSerializer}, {@code RecordBatchReader} and {@code EventSerializer}.
 *
 * <p>Artery drops a message larger than its frame rather than sending it, so no message this
 * codec writes is larger than {@code maxMessageBytes}: a delivery becomes as many messages as it
 * needs, and a batch too large for one message is split at record boundaries. Only the last part
 * of a split batch carries its credit, so the consumer returns exactly one credit for it. A single
 * record that alone exceeds the limit cannot cross nodes: {@link #encode} says so and names the
 * setting that raises the limit.
 *
 * <p>Message format (big-endian): channel index (int), backlog (int), number of buffers (int),
 * then per buffer a flags byte (bit 0: a leading part of a split batch), its length (int) and its
 * bytes. Thread-safe.
 */
public final class ChannelWireCodec {

    /** Room for the message's header and one buffer's framing, below the limit. */
    private static final int HEADER_BYTES = 12;
    private static final int BUFFER_FRAMING_BYTES = 5;
    private static final byte LEADING_PART = 1;

    private final ValueCodec codec;
    private final ClassLoader classLoader;
    private final EventAllowList allowList;
    private final int maxMessageBytes;

    /**
     * @param maxMessageBytes the largest message to write, below Artery's maximum frame size
     */
    public ChannelWireCodec(ValueCodec codec, ClassLoader classLoader, EventAllowList allowList, int maxMessageBytes) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
        this.allowList = Objects.requireNonNull(allowList, "allowList");
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be >= 1024, was " + maxMessageBytes);
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Room for Artery's envelope (actor paths, headers) below its maximum frame size. */
    private static final int ENVELOPE_HEADROOM_BYTES = 8 * 1024;

    /**
     * The largest message to send between nodes with {@code config}: Artery's maximum frame size
     * ({@code akka.remote.artery.advanced.maximum-frame-size}) less room for the envelope.
     */
    public static int maxMessageBytes(com.typesafe.config.Config config) {
        String path = "akka.remote.artery.advanced.maximum-frame-size";
        long frame = config.hasPath(path) ? config.getBytes(path) : 256 * 1024;
        return (int) Math.max(1024, Math.min(Integer.MAX_VALUE, frame - ENVELOPE_HEADROOM_BYTES));
    }

    /** The codec records are written with. */
    public ValueCodec valueCodec() {
        return codec;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /**
     * The delivery as messages of at most {@link #maxMessageBytes()} each, in order; each carries
     * {@code backlog}.
     *
     * @throws IOException if a record cannot be written, or alone does not fit a message
     */
    public List<ChannelProtocol.EncodedDelivery> encode(int channelIndex, List<ChannelItem> items, int backlog)
            throws IOException {
        Messages messages = new Messages(channelIndex, backlog);
        for (ChannelItem item : items) {
            if (item instanceof RecordBatch batch) {
                writeBatch(batch, messages);
            } else {
                EventItem event = (EventItem) item;
                ByteBuffer serialized = EventSerializer.toSerializedEvent(event.event());
                messages.addEvent(DataType.forEvent(event.event(), event.priority()), serialized.array(), serialized.limit());
            }
        }
        return messages.finish();
    }

    /** Writes the batch's records straight into the messages, splitting it where a message is full. */
    private void writeBatch(RecordBatch batch, Messages messages) throws IOException {
        int start = messages.openBuffer(DataType.DATA_BUFFER);
        ByteArrayDataOutput out = messages.out();
        ValueCodec.Writer writer = codec.writer(out);
        Object[] records = batch.records();
        int inPart = 0;
        for (int i = 0; i < batch.size(); i++) {
            int lengthSlot = out.position();
            out.writeInt(0);
            write(writer, records[i]);
            if (out.position() > maxMessageBytes) {
                if (inPart == 0 && messages.isFirstBuffer()) {
                    throw new IOException("A record of " + (out.position() - lengthSlot - 4) + " bytes (a "
                            + records[i].getClass().getName() + ") cannot cross nodes: one Artery message holds at most "
                            + maxMessageBytes + " bytes; raise akka.remote.artery.advanced.maximum-frame-size");
                }
                if (inPart == 0) {
                    out.truncate(start); // the buffer had no record yet: it starts in the next message
                } else {
                    out.truncate(lengthSlot);
                    messages.closeBuffer(start, true);
                }
                messages.closeMessage();
                start = messages.openBuffer(DataType.DATA_BUFFER);
                out = messages.out();
                writer = codec.writer(out); // each buffer is a stream of its own, readable alone
                inPart = 0;
                i--; // written again, first in the next part
                continue;
            }
            out.writeIntAt(lengthSlot, out.position() - lengthSlot - 4);
            inPart++;
        }
        messages.closeBuffer(start, batch.tookNoCredit());
    }

    private static void write(ValueCodec.Writer writer, Object record) throws IOException {
        try {
            writer.write(record);
        } catch (IOException e) {
            throw new IOException("A record cannot be sent to another node: " + e.getMessage(), e);
        }
    }

    /**
     * The delivery in {@code bytes}: data buffers as record batches (a leading part of a split batch
     * takes no credit), event buffers as events.
     *
     * @throws IOException naming what is wrong, for damaged bytes or records this node cannot read
     */
    public ChannelProtocol.Deliver decode(byte[] bytes) throws IOException {
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(bytes));
        if (bytes.length < HEADER_BYTES) {
            throw new IOException("Incomplete channel delivery: " + bytes.length + " bytes, the header needs " + HEADER_BYTES);
        }
        int channelIndex = in.readInt();
        int backlog = in.readInt();
        int count = in.readInt();
        if (count < 0 || count > in.remaining() / BUFFER_FRAMING_BYTES) {
            throw new IOException("Corrupt channel delivery: " + count + " buffers claimed in " + in.remaining() + " bytes");
        }
        List<ChannelItem> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean leadingPart = (in.readByte() & LEADING_PART) != 0;
            int length = in.readInt();
            if (length < 1 || length > in.remaining()) {
                throw new IOException("Corrupt channel delivery: buffer " + i + " claims " + length + " bytes, "
                        + in.remaining() + " remain");
            }
            ByteBuffer buffer = in.buffer().slice();
            buffer.limit(length);
            in.buffer().position(in.buffer().position() + length);
            int code = buffer.get() & 0xFF;
            DataType type = DataType.fromCode(code).filter(t -> t != DataType.NONE)
                    .orElseThrow(() -> new IOException("Corrupt channel delivery: unknown data type code " + code));
            if (type.isBuffer()) {
                items.add(readBatch(buffer, leadingPart));
            } else {
                Event event = EventSerializer.fromSerializedEvent(buffer.slice(), classLoader, allowList);
                items.add(new EventItem(event, type.hasPriority()));
            }
        }
        return new ChannelProtocol.Deliver(channelIndex, items, backlog);
    }

    private RecordBatch readBatch(ByteBuffer payload, boolean leadingPart) throws IOException {
        ByteBufferDataInput in = new ByteBufferDataInput(payload.slice());
        ValueCodec.Reader reader = codec.reader(in, "a batch from another node");
        List<Object> records = new ArrayList<>();
        while (in.remaining() > 0) {
            if (in.remaining() < 4) {
                throw new IOException("Corrupt data buffer: record " + records.size() + " has an incomplete length");
            }
            int length = in.readInt();
            if (length < 0 || length > in.remaining()) {
                throw new IOException("Corrupt data buffer: record " + records.size() + " claims " + length
                        + " bytes, " + in.remaining() + " remain");
            }
            int end = in.remaining() - length;
            records.add(reader.read());
            if (in.remaining() != end) {
                throw new IOException("Corrupt data buffer: record " + records.size() + " is " + length
                        + " bytes long but its value took " + (length - (in.remaining() - end)));
            }
        }
        if (records.isEmpty()) {
            throw new IOException("Corrupt data buffer: it holds no record");
        }
        return new RecordBatch(records.toArray(), records.size(), leadingPart);
    }

    /** Writes buffers straight into messages that stay under the limit. */
    private final class Messages {
        private final int channelIndex;
        private final int backlog;
        private final List<ChannelProtocol.EncodedDelivery> finished = new ArrayList<>(1);
        private ByteArrayDataOutput current;
        private int buffers;

        Messages(int channelIndex, int backlog) {
            this.channelIndex = channelIndex;
            this.backlog = backlog;
        }

        ByteArrayDataOutput out() {
            return current;
        }

        boolean isFirstBuffer() {
            return buffers == 0;
        }

        /** Starts a buffer of {@code type}, in a new message if none is open; returns where it starts. */
        int openBuffer(DataType type) {
            if (current == null) {
                current = new ByteArrayDataOutput(Math.min(maxMessageBytes, 16 * 1024));
                current.writeInt(channelIndex);
                current.writeInt(backlog);
                current.writeInt(0);
                buffers = 0;
            }
            int start = current.position();
            current.writeByte(0);
            current.writeInt(0);
            current.writeByte(type.ordinal());
            return start;
        }

        /** Ends the buffer that starts at {@code start}: its flags and its length. */
        void closeBuffer(int start, boolean leadingPart) {
            int length = current.position() - start - BUFFER_FRAMING_BYTES;
            current.writeIntAt(start, (leadingPart ? LEADING_PART : 0) << 24); // the flags byte; the rest is overwritten next
            current.writeIntAt(start + 1, length);
            buffers++;
        }

        void addEvent(DataType type, byte[] payload, int length) {
            if (current != null && current.position() + BUFFER_FRAMING_BYTES + 1 + length > maxMessageBytes) {
                closeMessage();
            }
            int start = openBuffer(type);
            current.write(payload, 0, length);
            closeBuffer(start, false);
        }

        void closeMessage() {
            current.writeIntAt(8, buffers);
            finished.add(new ChannelProtocol.EncodedDelivery(current.toByteArray()));
            current = null;
        }

        List<ChannelProtocol.EncodedDelivery> finish() {
            if (current != null) {
                closeMessage();
            }
            return finished;
        }
    }
}
