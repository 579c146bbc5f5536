package dev.snapflow.engine.state;

import java.util.Objects;

/**
 * A file of shared state: written once by one checkpoint, then referenced by that checkpoint and
 * by later incremental ones until none that is kept needs it.
 *
 * @param file      its name in the storage's shared area; the name starts with the id of the
 *                  checkpoint that wrote it and a dash
 * @param sizeBytes its length
 * @param checksum  its CRC32C
 */
public record SharedStateRef(String file, long sizeBytes, long checksum) {
    public SharedStateRef {
        Objects.requireNonNull(file, "file");
        if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.startsWith(".")) {
            throw new IllegalArgumentException("Shared state file name '" + file + "' is not a plain file name");
        }
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("Shared state file " + file + " has a negative size " + sizeBytes);
        }
    }

    /** The checkpoint that wrote the file, read from its name; -1 if the name does not say. */
    public long writtenBy() {
        int dash = file.indexOf('-');
        try {
            return dash > 0 ? Long.parseLong(file.substring(0, dash)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
