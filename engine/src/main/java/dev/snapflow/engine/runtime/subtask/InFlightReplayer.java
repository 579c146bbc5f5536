package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.runtime.channel.ChannelItem;
import dev.snapflow.engine.runtime.channel.EventItem;
import dev.snapflow.engine.runtime.channel.InFlightCodec;
import dev.snapflow.engine.runtime.channel.RecordBatch;
import dev.snapflow.engine.runtime.gate.InputGate;
import dev.snapflow.engine.state.InFlightPart;
import dev.snapflow.engine.state.RestoredState;
import dev.snapflow.engine.state.SubtaskState;
import dev.snapflow.serialization.event.EndOfChannelStateEvent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts a restored unaligned checkpoint's in-flight data back where it was (rule R11): each input
 * channel's in-flight input goes to the gate ahead of anything the channel delivers, each output
 * channel's in-flight output is sent ahead of new records; every channel then carries
 * EndOfChannelStateEvent, and live data follows. Parts are matched to channels by identity
 * (operator uids and edge), never by position.
 */
final class InFlightReplayer {

    private final InFlightCodec codec;
    private final InFlightChannels channels;
    private final int batchSize;
    private final String headName;

    /** @param batchSize how many replayed records go into one batch */
    InFlightReplayer(InFlightCodec codec, InFlightChannels channels, int batchSize, String headName) {
        this.codec = codec;
        this.channels = channels;
        this.batchSize = batchSize;
        this.headName = headName;
    }

    /**
     * @param gate the subtask's input gate, or null for a source
     * @throws IllegalStateException naming the part, if a part cannot be read or has no channel here
     */
    void replay(RestoredState restored, InputGate<ChannelItem> gate, List<RecordWriter> writers) {
        for (String part : restored.partNames()) {
            if (!part.startsWith(SubtaskState.IN_FLIGHT_PREFIX)) {
                continue;
            }
            try {
                InFlightPart channel = InFlightPart.parse(part).orElseThrow();
                List<Object> records = codec.decode(restored.single(part).orElseThrow(), part);
                if (channel.input()) {
                    if (gate == null) {
                        throw new IllegalStateException("a source has no input channels");
                    }
                    gate.onDelivered(channels.inputChannel(channel), batches(records, true));
                } else {
                    InFlightChannels.Output output = channels.output(channel);
                    RecordWriter writer = writers.stream().filter(w -> w.edgeId() == output.edgeId()).findFirst().orElseThrow();
                    writer.replay(output.target(), batches(records, false));
                }
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("The restored in-flight data " + part + " of " + headName
                        + " cannot be replayed: " + e.getMessage(), e);
            }
        }
        if (gate != null) {
            for (int channel = 0; channel < gate.numberOfChannels(); channel++) {
                gate.onDelivered(channel, List.of(new EventItem(EndOfChannelStateEvent.INSTANCE, false)));
            }
        }
        for (RecordWriter writer : writers) {
            writer.emitEvent(EndOfChannelStateEvent.INSTANCE);
        }
    }

    /** @param recovered input batches are marked recovered: they took no credit, so processing them returns none */
    private List<RecordBatch> batches(List<Object> records, boolean recovered) {
        List<RecordBatch> batches = new ArrayList<>();
        for (int from = 0; from < records.size(); from += batchSize) {
            Object[] batch = records.subList(from, Math.min(records.size(), from + batchSize)).toArray();
            batches.add(new RecordBatch(batch, batch.length, recovered));
        }
        return batches;
    }
}
