package dev.snapflow.serialization.event;

/**
 * Selects the virtual channel that the following buffers belong to: when in-flight data of an
 * unaligned checkpoint is replayed after rescaling, one physical channel may carry the data of
 * several old producer→consumer pairs, and this event says which pair comes next.
 *
 * @param inputSubtaskIndex  the old consumer (input) subtask, {@code >= 0}
 * @param outputSubtaskIndex the old producer (output) subtask, {@code >= 0}
 */
public record SubtaskConnectionDescriptor(int inputSubtaskIndex, int outputSubtaskIndex) implements Event {
    public SubtaskConnectionDescriptor {
        if (inputSubtaskIndex < 0 || outputSubtaskIndex < 0) {
            throw new IllegalArgumentException("Subtask indexes must be >= 0, were input "
                    + inputSubtaskIndex + " and output " + outputSubtaskIndex);
        }
    }
}
