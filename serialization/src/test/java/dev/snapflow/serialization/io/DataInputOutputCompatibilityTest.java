package dev.snapflow.serialization.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our byte input and output must agree with the JDK's DataInputStream and DataOutputStream. */
class DataInputOutputCompatibilityTest {

    private static final String TEXT = "héllo ✓ 𝄞 \u0000 end";

    @Test
    void when_ours_writes_then_the_jdk_reads_the_same_values() throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(0);
        out.writeBoolean(true);
        out.writeByte(-3);
        out.writeShort(-12345);
        out.writeChar('€');
        out.writeInt(Integer.MIN_VALUE);
        out.writeLong(Long.MAX_VALUE);
        out.writeFloat(1.5f);
        out.writeDouble(-2.25);
        out.writeUTF(TEXT);
        out.writeBytes("AB");
        out.writeChars("cd");

        DataInputStream in = new DataInputStream(new ByteArrayInputStream(out.toByteArray()));
        assertThat(in.readBoolean()).isTrue();
        assertThat(in.readByte()).isEqualTo((byte) -3);
        assertThat(in.readShort()).isEqualTo((short) -12345);
        assertThat(in.readChar()).isEqualTo('€');
        assertThat(in.readInt()).isEqualTo(Integer.MIN_VALUE);
        assertThat(in.readLong()).isEqualTo(Long.MAX_VALUE);
        assertThat(in.readFloat()).isEqualTo(1.5f);
        assertThat(in.readDouble()).isEqualTo(-2.25);
        assertThat(in.readUTF()).isEqualTo(TEXT);
        assertThat(in.readByte()).isEqualTo((byte) 'A');
        assertThat(in.readByte()).isEqualTo((byte) 'B');
        assertThat(in.readChar()).isEqualTo('c');
        assertThat(in.readChar()).isEqualTo('d');
        assertThat(in.available()).isZero();
    }

    @Test
    void when_the_jdk_writes_then_ours_reads_the_same_values() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeShort(65535);
        out.writeByte(200);
        out.writeUTF(TEXT);
        out.writeBytes("line one\r\nline two\n");
        out.writeLong(-1);

        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(bytes.toByteArray()));
        assertThat(in.readUnsignedShort()).isEqualTo(65535);
        assertThat(in.readUnsignedByte()).isEqualTo(200);
        assertThat(in.readUTF()).isEqualTo(TEXT);
        assertThat(in.readLine()).isEqualTo("line one");
        assertThat(in.readLine()).isEqualTo("line two");
        assertThat(in.readLong()).isEqualTo(-1);
        assertThat(in.remaining()).isZero();
        assertThat(in.readLine()).isNull();
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void when_a_read_needs_more_bytes_than_remain_then_it_throws_eof_without_moving() {
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(new byte[] {0, 1, 2}));

        assertThatThrownBy(in::readInt).isInstanceOf(EOFException.class).hasMessage("an int needs 4 bytes but only 3 remain");
        assertThat(in.remaining()).isEqualTo(3);
        assertThatThrownBy(() -> in.readByteArray(Integer.MAX_VALUE, "a blob"))
                .isInstanceOf(EOFException.class).hasMessage("a blob needs 2147483647 bytes but only 3 remain");
    }

    @Test
    void when_a_utf_length_exceeds_the_input_then_nothing_is_allocated_for_it() {
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xFF, 'a'}));

        assertThatThrownBy(in::readUTF).isInstanceOf(EOFException.class)
                .hasMessage("a modified UTF-8 string needs 65537 bytes but only 3 remain");
    }

    @Test
    void when_a_length_slot_is_patched_then_only_those_bytes_change() {
        ByteArrayDataOutput out = new ByteArrayDataOutput(2);
        out.writeInt(0);
        out.writeLong(7);
        out.writeIntAt(0, 8);

        assertThat(ByteBuffer.wrap(out.toByteArray()).getInt()).isEqualTo(8);
        assertThat(out.position()).isEqualTo(12);
        assertThatThrownBy(() -> out.writeIntAt(10, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        out.truncate(4);
        assertThat(out.toByteArray()).hasSize(4);
    }
}
