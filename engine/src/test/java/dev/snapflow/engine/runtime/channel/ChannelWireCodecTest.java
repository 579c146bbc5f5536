package dev.snapflow.engine.runtime.channel;

import dev.snapflow.serialization.buffer.Buffer;
import dev.snapflow.serialization.buffer.BufferSerializer;
import dev.snapflow.serialization.buffer.DataType;
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
import dev.snapflow.serialization.event.StopMode;
import dev.snapflow.serialization.event.SubtaskConnectionDescriptor;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.RecordSerializer;
import dev.snapflow.serialization.record.Tuple2;
import dev.snapflow.serialization.record.ValueCodec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelWireCodecTest {

    private static final ValueCodec VALUES = ValueCodec.builtInTypesOnly();
    private final ChannelWireCodec codec = new ChannelWireCodec(VALUES, getClass().getClassLoader(), EventAllowList.none(), 64 * 1024);

    static List<Event> everyEventKind() {
        CheckpointBarrier barrier = new CheckpointBarrier(3, 1234, CheckpointOptions.alignedWithTimeout(
                CheckpointType.CHECKPOINT, CheckpointStorageLocationReference.DEFAULT, 50));
        return List.of(EndOfPartitionEvent.INSTANCE, barrier, EndOfSuperstepEvent.INSTANCE, new CancelCheckpointMarker(3),
                EndOfChannelStateEvent.INSTANCE, new EventAnnouncement(barrier, 12), new SubtaskConnectionDescriptor(1, 2),
                new ChannelUnavailableEvent(4), new EndOfData(StopMode.NO_DRAIN), EndOfSegmentEvent.INSTANCE,
                new RecoveryMetadata(2));
    }

    private static RecordBatch batch(Object... records) {
        return new RecordBatch(records, records.length);
    }

    @Test
    void when_batches_and_every_event_kind_cross_nodes_then_they_decode_to_what_was_sent_in_order() throws IOException {
        List<ChannelItem> items = new ArrayList<>();
        items.add(batch(1L, "two", Tuple2.of("three", 3L), 4.5, true));
        for (Event event : everyEventKind()) {
            items.add(new EventItem(event, false));
            items.add(batch(Tuple2.of(event.getClass().getSimpleName(), 1)));
        }
        items.add(new EventItem(everyEventKind().get(1), true));

        List<ChannelProtocol.EncodedDelivery> messages = codec.encode(7, items, 5);
        assertThat(messages).hasSize(1);
        ChannelProtocol.Deliver delivered = codec.decode(messages.get(0).bytes());

        assertThat(delivered.channelIndex()).isEqualTo(7);
        assertThat(delivered.backlog()).isEqualTo(5);
        assertThat(delivered.items()).hasSize(items.size());
        for (int i = 0; i < items.size(); i++) {
            ChannelItem sent = items.get(i);
            ChannelItem got = delivered.items().get(i);
            if (sent instanceof RecordBatch sentBatch) {
                RecordBatch gotBatch = (RecordBatch) got;
                assertThat(Arrays.copyOf(gotBatch.records(), gotBatch.size()))
                        .containsExactly(Arrays.copyOf(sentBatch.records(), sentBatch.size()));
                assertThat(gotBatch.tookNoCredit()).isFalse();
            } else {
                assertThat(got).isEqualTo(sent);
            }
        }
    }

    @Test
    void when_a_delivery_is_read_with_the_serialization_module_then_its_buffers_are_flink_style_buffers() throws IOException {
        CancelCheckpointMarker marker = new CancelCheckpointMarker(9);
        byte[] message = codec.encode(0, List.of(batch(10L, 20L, 30L), new EventItem(marker, true)), 0).get(0).bytes();

        List<Buffer> buffers = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(message);
        in.position(8);
        int count = in.getInt();
        for (int i = 0; i < count; i++) {
            in.get(); // flags
            byte[] buffer = new byte[in.getInt()];
            in.get(buffer);
            buffers.add(BufferSerializer.fromBytes(buffer));
        }

        assertThat(buffers).extracting(Buffer::dataType).containsExactly(DataType.DATA_BUFFER, DataType.PRIORITIZED_EVENT_BUFFER);
        RecordSerializer<Object> values = new RecordSerializer<>() {
            @Override
            public void serialize(Object record, dev.snapflow.serialization.io.ByteArrayDataOutput out) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Object deserialize(ByteBufferDataInput input) throws IOException {
                return VALUES.reader(input, "a test record").read();
            }
        };
        assertThat(RecordBatchReader.readAll(buffers.get(0), values)).containsExactly(10L, 20L, 30L);
        assertThat(EventSerializer.fromSerializedEvent(buffers.get(1).payload(), getClass().getClassLoader())).isEqualTo(marker);
    }

    @Test
    void when_a_batch_exceeds_one_message_then_it_is_split_at_records_and_only_its_last_part_holds_the_credit() throws IOException {
        ChannelWireCodec small = new ChannelWireCodec(VALUES, getClass().getClassLoader(), EventAllowList.none(), 1024);
        Object[] records = LongStream.range(0, 1000).mapToObj(i -> (Object) ("record-" + i)).toArray();

        List<ChannelProtocol.EncodedDelivery> messages = small.encode(1, List.of(new RecordBatch(records, records.length),
                new EventItem(EndOfPartitionEvent.INSTANCE, false)), 0);

        assertThat(messages.size()).isGreaterThan(10);
        List<Object> decoded = new ArrayList<>();
        List<Boolean> creditFree = new ArrayList<>();
        List<ChannelItem> all = new ArrayList<>();
        for (ChannelProtocol.EncodedDelivery message : messages) {
            assertThat(message.bytes().length).isLessThanOrEqualTo(1024);
            all.addAll(small.decode(message.bytes()).items());
        }
        for (ChannelItem item : all.subList(0, all.size() - 1)) {
            RecordBatch part = (RecordBatch) item;
            decoded.addAll(Arrays.asList(part.records()).subList(0, part.size()));
            creditFree.add(part.tookNoCredit());
        }
        assertThat(decoded).containsExactly(records);
        assertThat(creditFree.subList(0, creditFree.size() - 1)).containsOnly(true);
        assertThat(creditFree.get(creditFree.size() - 1)).as("the last part holds the batch's credit").isFalse();
        assertThat(all.get(all.size() - 1)).isEqualTo(new EventItem(EndOfPartitionEvent.INSTANCE, false));
    }

    @Test
    void when_one_record_alone_exceeds_a_message_then_encoding_names_the_frame_size_setting() {
        ChannelWireCodec small = new ChannelWireCodec(VALUES, getClass().getClassLoader(), EventAllowList.none(), 1024);

        assertThatThrownBy(() -> small.encode(0, List.of(batch("x".repeat(5000))), 0))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("java.lang.String")
                .hasMessageContaining("akka.remote.artery.advanced.maximum-frame-size");
    }

    @Test
    void when_a_delivery_is_truncated_or_damaged_then_decoding_fails_with_a_clear_error() throws IOException {
        byte[] message = codec.encode(0, List.of(batch(1L, 2L, 3L)), 0).get(0).bytes();

        for (int length = 0; length < message.length; length++) {
            byte[] truncated = Arrays.copyOf(message, length);
            assertThatThrownBy(() -> codec.decode(truncated)).as("truncated to " + length).isInstanceOf(IOException.class);
        }
        byte[] badType = message.clone();
        badType[12 + 5] = 99;
        assertThatThrownBy(() -> codec.decode(badType)).isInstanceOf(IOException.class).hasMessageContaining("data type");
    }
}
