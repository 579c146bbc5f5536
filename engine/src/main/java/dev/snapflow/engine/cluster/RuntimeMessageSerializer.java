package dev.snapflow.engine.cluster;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.SerializerWithStringManifest;
import dev.snapflow.engine.checkpoint.coordinator.CheckpointProtocol;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.runtime.channel.ChannelProtocol;
import dev.snapflow.engine.runtime.channel.ChannelWireCodec;
import dev.snapflow.engine.runtime.subtask.SubtaskProtocol;
import dev.snapflow.serialization.akka.SerializationSettings;
import dev.snapflow.serialization.event.CheckpointBarrier;
import dev.snapflow.serialization.event.EventSerializer;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.ValueCodec;

import java.io.IOException;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The binary form of the runtime messages that cross nodes on a job's data path and in its
 * reports: channel deliveries (already written by {@link ChannelWireCodec} on the channel's
 * thread; read back here, on Artery's thread, into record objects), credits, backlog
 * announcements, checkpoint triggers (the barrier in Flink's event format), and what subtasks
 * report when they finish or fail. Collected sink records are written with the node's
 * {@link ValueCodec}; failures as {@link RemoteFailure}s. The rarer control messages are Jackson
 * CBOR ({@code CborSerializable}). Bound in the engine's {@code reference.conf}.
 */
public final class RuntimeMessageSerializer extends SerializerWithStringManifest {

    /** Registered in reference.conf; Akka reserves 0–40 for itself. */
    public static final int IDENTIFIER = 7_301_003;

    /** Causes written per failure; a longer chain ends with the last one written. */
    private static final int MAX_CAUSES = 8;
    /** What of a failure is written, so that its report stays well under an Artery frame. */
    private static final int MAX_MESSAGE_CHARS = 4096;
    private static final int MAX_FRAMES = 128;

    private static final String DELIVERY = "D";
    private static final String CREDIT = "C";
    private static final String NON_EMPTY = "N";
    private static final String TRIGGER = "T";
    private static final String FINISHED = "F";
    private static final String FAILED = "X";

    private final ExtendedActorSystem system;
    /** Made on first use: the codec needs the system's serialization, which is still starting when serializers are made. */
    private volatile ChannelWireCodec wire;

    public RuntimeMessageSerializer(ExtendedActorSystem system) {
        this.system = system;
    }

    private ChannelWireCodec wireCodec() {
        ChannelWireCodec codec = wire;
        if (codec == null) {
            codec = wireCodec(system, ValueCodec.create(Adapter.toTyped(system)));
            wire = codec;
        }
        return codec;
    }

    /** The codec that channels on {@code system}'s node write with for consumers on other nodes, records by {@code values}. */
    public static ChannelWireCodec wireCodec(ExtendedActorSystem system, ValueCodec values) {
        return new ChannelWireCodec(values, system.dynamicAccess().classLoader(),
                SerializationSettings.create(system.settings().config()).eventAllowList(),
                ChannelWireCodec.maxMessageBytes(system.settings().config()));
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof ChannelProtocol.EncodedDelivery) {
            return DELIVERY;
        } else if (o instanceof ChannelProtocol.GrantCredit) {
            return CREDIT;
        } else if (o instanceof ChannelProtocol.ChannelBecameNonEmpty) {
            return NON_EMPTY;
        } else if (o instanceof CheckpointProtocol.TriggerCheckpoint) {
            return TRIGGER;
        } else if (o instanceof SubtaskProtocol.SubtaskFinished) {
            return FINISHED;
        } else if (o instanceof SubtaskProtocol.SubtaskFailed) {
            return FAILED;
        }
        throw new IllegalArgumentException("Cannot serialize " + o.getClass().getName() + " with " + getClass().getName());
    }

    @Override
    public byte[] toBinary(Object o) {
        if (o instanceof ChannelProtocol.EncodedDelivery delivery) {
            return delivery.bytes();
        }
        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        try {
            if (o instanceof ChannelProtocol.GrantCredit grant) {
                out.writeInt(grant.credits());
            } else if (o instanceof ChannelProtocol.ChannelBecameNonEmpty nonEmpty) {
                out.writeInt(nonEmpty.channelIndex());
                out.writeInt(nonEmpty.backlog());
            } else if (o instanceof CheckpointProtocol.TriggerCheckpoint trigger) {
                EventSerializer.write(trigger.barrier(), out);
            } else if (o instanceof SubtaskProtocol.SubtaskFinished finished) {
                writeFinished(finished, out);
            } else if (o instanceof SubtaskProtocol.SubtaskFailed failed) {
                writeSubtask(failed.subtask(), out);
                out.writeUtf8(failed.operatorName());
                writeFailure(failed.cause(), out);
            } else {
                throw new IllegalArgumentException("Cannot serialize " + o.getClass().getName() + " with " + getClass().getName());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot serialize " + o.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        if (DELIVERY.equals(manifest)) {
            try {
                return wireCodec().decode(bytes);
            } catch (IOException | RuntimeException e) {
                // Delivered as a failure, not dropped: a dropped delivery would hold its credit forever.
                int channelIndex = bytes.length >= 4 ? ByteBuffer.wrap(bytes).getInt(0) : -1;
                return new ChannelProtocol.UndecodableDelivery(channelIndex, e.getMessage());
            }
        }
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(bytes));
        try {
            return switch (manifest) {
                case CREDIT -> new ChannelProtocol.GrantCredit(in.readInt());
                case NON_EMPTY -> new ChannelProtocol.ChannelBecameNonEmpty(in.readInt(), in.readInt());
                case TRIGGER -> new CheckpointProtocol.TriggerCheckpoint(
                        (CheckpointBarrier) EventSerializer.fromSerializedEvent(ByteBuffer.wrap(bytes), system.dynamicAccess().classLoader()));
                case FINISHED -> readFinished(in);
                case FAILED -> new SubtaskProtocol.SubtaskFailed(readSubtask(in), in.readUtf8("an operator name"), readFailure(in));
                default -> throw new NotSerializableException("Unknown manifest '" + manifest + "' for " + getClass().getName());
            };
        } catch (NotSerializableException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            NotSerializableException failure = new NotSerializableException(
                    "Cannot read a runtime message (manifest " + manifest + "): " + e.getMessage());
            failure.initCause(e);
            throw failure;
        }
    }

    private void writeFinished(SubtaskProtocol.SubtaskFinished finished, ByteArrayDataOutput out) throws IOException {
        writeSubtask(finished.subtask(), out);
        out.writeBoolean(finished.awaitsCommit());
        out.writeInt(finished.sinks().size());
        for (SubtaskProtocol.SinkResult sink : finished.sinks()) {
            out.writeUtf8(sink.operatorName());
            out.writeLong(sink.records());
            out.writeBoolean(sink.collected().isPresent());
            if (sink.collected().isPresent()) {
                List<Object> collected = sink.collected().get();
                out.writeInt(collected.size());
                ValueCodec.Writer writer = wireCodec().valueCodec().writer(out);
                for (Object record : collected) {
                    writer.write(record);
                }
            }
        }
    }

    private SubtaskProtocol.SubtaskFinished readFinished(ByteBufferDataInput in) throws IOException {
        SubtaskId subtask = readSubtask(in);
        boolean awaitsCommit = in.readBoolean();
        int sinkCount = in.readInt();
        if (sinkCount < 0 || sinkCount > in.remaining()) {
            throw new IOException("Corrupt finish report: " + sinkCount + " sinks");
        }
        List<SubtaskProtocol.SinkResult> sinks = new ArrayList<>(sinkCount);
        for (int i = 0; i < sinkCount; i++) {
            String name = in.readUtf8("a sink name");
            long records = in.readLong();
            Optional<List<Object>> collected = Optional.empty();
            if (in.readBoolean()) {
                int count = in.readInt();
                if (count < 0 || count > in.remaining()) {
                    throw new IOException("Corrupt finish report: " + count + " collected records in " + in.remaining() + " bytes");
                }
                ValueCodec.Reader reader = wireCodec().valueCodec().reader(in, "records collected by sink '" + name + "'");
                List<Object> records1 = new ArrayList<>(count);
                for (int r = 0; r < count; r++) {
                    records1.add(reader.read());
                }
                collected = Optional.of(records1);
            }
            sinks.add(new SubtaskProtocol.SinkResult(name, records, collected));
        }
        return new SubtaskProtocol.SubtaskFinished(subtask, sinks, awaitsCommit);
    }

    private static void writeSubtask(SubtaskId subtask, ByteArrayDataOutput out) {
        out.writeInt(subtask.chainId());
        out.writeInt(subtask.subtaskIndex());
    }

    private static SubtaskId readSubtask(ByteBufferDataInput in) throws IOException {
        return new SubtaskId(in.readInt(), in.readInt());
    }

    private static void writeFailure(Throwable failure, ByteArrayDataOutput out) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && chain.size() < MAX_CAUSES && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        out.writeInt(chain.size());
        for (Throwable t : chain) {
            out.writeUtf8(t instanceof RemoteFailure remote ? remote.originalClassName() : t.getClass().getName());
            String message = t.getMessage();
            out.writeBoolean(message != null);
            if (message != null) {
                out.writeUtf8(message.length() > MAX_MESSAGE_CHARS
                        ? message.substring(0, MAX_MESSAGE_CHARS) + "... (" + message.length() + " characters)" : message);
            }
            StackTraceElement[] all = t.getStackTrace();
            StackTraceElement[] frames = all.length > MAX_FRAMES ? java.util.Arrays.copyOf(all, MAX_FRAMES) : all;
            out.writeInt(frames.length);
            for (StackTraceElement frame : frames) {
                out.writeUtf8(frame.getClassName());
                out.writeUtf8(frame.getMethodName());
                out.writeUtf8(frame.getFileName() == null ? "" : frame.getFileName());
                out.writeInt(frame.getLineNumber());
            }
        }
    }

    private static RemoteFailure readFailure(ByteBufferDataInput in) throws IOException {
        int count = in.readInt();
        if (count < 1 || count > MAX_CAUSES) {
            throw new IOException("Corrupt failure: " + count + " causes");
        }
        String[] classNames = new String[count];
        String[] messages = new String[count];
        StackTraceElement[][] traces = new StackTraceElement[count][];
        for (int i = 0; i < count; i++) {
            classNames[i] = in.readUtf8("an exception class name");
            messages[i] = in.readBoolean() ? in.readUtf8("an exception message") : null;
            int frames = in.readInt();
            if (frames < 0 || frames > in.remaining()) {
                throw new IOException("Corrupt failure: " + frames + " stack frames");
            }
            traces[i] = new StackTraceElement[frames];
            for (int f = 0; f < frames; f++) {
                String declaringClass = in.readUtf8("a stack frame");
                String method = in.readUtf8("a stack frame");
                String file = in.readUtf8("a stack frame");
                traces[i][f] = new StackTraceElement(declaringClass, method, file.isEmpty() ? null : file, in.readInt());
            }
        }
        RemoteFailure failure = null;
        for (int i = count - 1; i >= 0; i--) {
            failure = new RemoteFailure(classNames[i], messages[i], failure);
            failure.setStackTrace(traces[i]);
        }
        return failure;
    }
}
