package dev.snapflow.serialization.event;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Where a subtask writes its part of a snapshot: either the storage's default location for the
 * checkpoint id ({@link #DEFAULT}), or an opaque, non-empty reference chosen by the checkpoint
 * storage (for a savepoint, typically an encoded target directory). Immutable.
 */
public final class CheckpointStorageLocationReference {

    /** The storage's default location for the checkpoint; encoded as length {@code -1}. */
    public static final CheckpointStorageLocationReference DEFAULT = new CheckpointStorageLocationReference(null);

    /** Null only for {@link #DEFAULT}; otherwise non-empty and never exposed without a copy. */
    private final byte[] referenceBytes;

    private CheckpointStorageLocationReference(byte[] referenceBytes) {
        this.referenceBytes = referenceBytes;
    }

    /** A non-default reference; {@code referenceBytes} must not be empty and is copied. */
    public static CheckpointStorageLocationReference of(byte[] referenceBytes) {
        if (referenceBytes == null || referenceBytes.length == 0) {
            throw new IllegalArgumentException("A location reference needs at least one byte; use DEFAULT for none");
        }
        return new CheckpointStorageLocationReference(referenceBytes.clone());
    }

    public boolean isDefault() {
        return referenceBytes == null;
    }

    /** The reference bytes (a copy); empty for the default reference. */
    public byte[] referenceBytes() {
        return referenceBytes == null ? new byte[0] : referenceBytes.clone();
    }

    /** The number of reference bytes; 0 for the default reference. */
    public int length() {
        return referenceBytes == null ? 0 : referenceBytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CheckpointStorageLocationReference other
                && Arrays.equals(referenceBytes, other.referenceBytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(referenceBytes);
    }

    @Override
    public String toString() {
        return isDefault() ? "(default)" : "0x" + HexFormat.of().formatHex(referenceBytes);
    }
}
