package dev.snapflow.engine.state;

import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The keyed state of an incremental checkpoint, as its part of a subtask's state: not the state
 * itself but the shared files that make it up, in order. The first is a full snapshot, each later
 * one what changed after the one before (see {@link HeapKeyedStateBackend}); a restore reads them
 * in order. Format (big-endian): the magic {@code "KGCH"} (which no keyed snapshot starts with:
 * they start with their format version), the format version, the max parallelism, the number of
 * files, and per file its name (modified UTF-8), size and CRC32C.
 */
public final class KeyedStateChain {

    /** "KGCH". */
    static final int MAGIC = 0x4B474348;
    /** "KGCI": a chain read back, the files' bytes in it, as the restore receives it. */
    static final int INLINE_MAGIC = 0x4B474349;
    private static final int VERSION = 1;

    private KeyedStateChain() {
    }

    /** A chain of {@code files}, oldest first, of keyed state written with {@code maxParallelism}. */
    public static byte[] encode(int maxParallelism, List<SharedStateRef> files) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(16 + 48 * files.size());
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(maxParallelism);
        out.writeInt(files.size());
        for (SharedStateRef file : files) {
            out.writeUTF(file.file());
            out.writeLong(file.sizeBytes());
            out.writeLong(file.checksum());
        }
        return out.toByteArray();
    }

    /** True if a keyed state part is a chain of shared files rather than the state itself. */
    public static boolean isChain(byte[] part) {
        return startsWith(ByteBuffer.wrap(part), MAGIC);
    }

    /** The files of a chain, in the order a restore reads them. */
    public static List<SharedStateRef> files(byte[] part) throws IOException {
        ByteBufferDataInput in = header(part);
        in.readInt(); // max parallelism
        int count = in.readInt();
        if (count < 1 || count > part.length) {
            throw new IOException("A keyed state chain of " + count + " files is damaged");
        }
        List<SharedStateRef> files = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            try {
                files.add(new SharedStateRef(name, in.readLong(), in.readLong()));
            } catch (IllegalArgumentException e) {
                throw new IOException("A keyed state chain is damaged: " + e.getMessage(), e);
            }
        }
        return files;
    }

    static int maxParallelism(byte[] part) throws IOException {
        return header(part).readInt();
    }

    private static ByteBufferDataInput header(byte[] part) throws IOException {
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(part));
        int magic = in.readInt();
        if (magic != MAGIC && magic != INLINE_MAGIC) {
            throw new IOException("Not a keyed state chain");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("Unsupported keyed state chain format version " + version + " (this Snapflow reads " + VERSION + ")");
        }
        return in;
    }

    /**
     * A subtask's state with every keyed chain replaced by the files it names, read from
     * {@code store} (the storage the checkpoint is in, which need not be the restoring job's) and
     * checked there, so the restore needs no storage.
     *
     * @throws IOException naming the file, if one is missing or damaged
     */
    public static SubtaskState resolve(SubtaskState state, SharedStateStore store) throws IOException {
        java.util.Map<String, byte[]> parts = null;
        for (String part : state.operators()) {
            if (part.endsWith(SubtaskState.KEYED_SUFFIX)) {
                java.nio.ByteBuffer view = state.operatorStateView(part).orElseThrow();
                if (startsWith(view, MAGIC)) {
                    if (parts == null) {
                        parts = new java.util.TreeMap<>();
                        for (String name : state.operators()) {
                            parts.put(name, state.operatorState(name).orElseThrow());
                        }
                    }
                    parts.put(part, inline(parts.get(part), store));
                }
            }
        }
        return parts == null ? state : SubtaskState.adopt(parts);
    }

    private static byte[] inline(byte[] chain, SharedStateStore store) throws IOException {
        List<SharedStateRef> files = files(chain);
        List<byte[]> contents = new ArrayList<>(files.size());
        long size = 16;
        for (SharedStateRef file : files) {
            byte[] bytes = store.read(file);
            contents.add(bytes);
            size += 4 + bytes.length;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException("The keyed state chain of " + files.size() + " files holds " + size + " bytes, more than one"
                    + " subtask's state can take in memory");
        }
        ByteArrayDataOutput out = new ByteArrayDataOutput((int) size);
        out.writeInt(INLINE_MAGIC);
        out.writeInt(VERSION);
        out.writeInt(maxParallelism(chain));
        out.writeInt(contents.size());
        for (byte[] bytes : contents) {
            out.writeInt(bytes.length);
            out.write(bytes);
        }
        return out.toByteArray();
    }

    private static boolean startsWith(ByteBuffer bytes, int magic) {
        return bytes.remaining() >= 4 && bytes.getInt(0) == magic;
    }

    static boolean isInline(byte[] part) {
        return startsWith(ByteBuffer.wrap(part), INLINE_MAGIC);
    }

    /** The files of a resolved chain, oldest first. */
    static List<byte[]> inlineFiles(byte[] part) throws IOException {
        ByteBufferDataInput in = new ByteBufferDataInput(ByteBuffer.wrap(part));
        in.readInt();
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("Unsupported keyed state chain format version " + version);
        }
        in.readInt(); // max parallelism
        int count = in.readInt();
        if (count < 1 || count > part.length) {
            throw new IOException("A keyed state chain of " + count + " files is damaged");
        }
        List<byte[]> files = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            files.add(in.readByteArray(in.readInt(), "a file of a keyed state chain"));
        }
        return files;
    }

    /** Every shared file the keyed parts of a subtask's state refer to. */
    public static List<SharedStateRef> referencedBy(SubtaskState state) throws IOException {
        List<SharedStateRef> files = new ArrayList<>();
        for (String part : state.operators()) {
            if (part.endsWith(SubtaskState.KEYED_SUFFIX)) {
                java.nio.ByteBuffer view = state.operatorStateView(part).orElseThrow();
                if (startsWith(view, MAGIC)) {
                    files.addAll(files(state.operatorState(part).orElseThrow()));
                }
            }
        }
        return files;
    }
}
