package dev.snapflow.engine.state;

/**
 * A contiguous, non-empty, inclusive range of key groups: the key groups one subtask owns.
 *
 * @param startKeyGroup first key group, {@code >= 0}
 * @param endKeyGroup   last key group, {@code >= startKeyGroup}
 */
public record KeyGroupRange(int startKeyGroup, int endKeyGroup) {
    public KeyGroupRange {
        if (startKeyGroup < 0 || endKeyGroup < startKeyGroup) {
            throw new IllegalArgumentException("Invalid key group range [" + startKeyGroup + ", " + endKeyGroup + "]");
        }
    }

    public boolean contains(int keyGroup) {
        return keyGroup >= startKeyGroup && keyGroup <= endKeyGroup;
    }

    public int numberOfKeyGroups() {
        return endKeyGroup - startKeyGroup + 1;
    }

    @Override
    public String toString() {
        return "KeyGroupRange[" + startKeyGroup + ".." + endKeyGroup + "]";
    }
}
