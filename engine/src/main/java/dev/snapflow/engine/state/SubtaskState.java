package dev.snapflow.engine.state;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One subtask's part of a checkpoint: each stateful operator's snapshot as bytes, by operator
 * name. Immutable: the arrays are copied in and never handed out without a copy.
 */
public final class SubtaskState {

    /**
     * Parts whose names start with this hold a channel's in-flight data of an unaligned
     * checkpoint, not an operator's state; no operator uid may take it.
     */
    public static final String IN_FLIGHT_PREFIX = "inflight/";

    /**
     * A part that is never in a checkpoint, only in what a restarted attempt restores a source
     * from: the job had stopped with a savepoint, so the source emits nothing and ends its output
     * without draining (coordinator rule K12). No operator uid may take it.
     */
    public static final String STOP_SOURCE_MARKER = "subtask/stop-source";

    /** Appended to an operator's uid for the part that holds its keyed state. */
    public static final String KEYED_SUFFIX = "/keyed";

    /** Appended to an operator's uid for the part that holds its operator list state. */
    public static final String OPERATOR_SUFFIX = "/operator";

    /**
     * Appended to an operator's uid for an empty part saying that the operator had finished (its
     * input ended and {@code finish} ran) when the checkpoint was taken.
     */
    public static final String FINISHED_SUFFIX = "/finished";

    /** The operator uid a part belongs to: the part's name without one of the suffixes above. */
    public static String operatorOf(String part) {
        return part.endsWith(KEYED_SUFFIX) || part.endsWith(OPERATOR_SUFFIX) || part.endsWith(FINISHED_SUFFIX)
                ? part.substring(0, part.lastIndexOf('/')) : part;
    }

    /** Parts whose names start with this are Snapflow's own, about a subtask, not an operator's. */
    public static final String RESERVED_PREFIX = "subtask/";

    private static final SubtaskState EMPTY = new SubtaskState(new TreeMap<>());

    private final Map<String, byte[]> operatorStates;

    private SubtaskState(TreeMap<String, byte[]> operatorStates) {
        this.operatorStates = Collections.unmodifiableMap(operatorStates);
    }

    public static SubtaskState empty() {
        return EMPTY;
    }

    /**
     * A state that takes ownership of the given arrays, without copying them: for the runtime,
     * whose snapshot arrays are fresh and referenced nowhere else.
     */
    public static SubtaskState adopt(Map<String, byte[]> operatorStates) {
        return new SubtaskState(new TreeMap<>(operatorStates));
    }

    public static SubtaskState of(Map<String, byte[]> operatorStates) {
        TreeMap<String, byte[]> copy = new TreeMap<>();
        operatorStates.forEach((name, bytes) -> copy.put(name, bytes.clone()));
        return new SubtaskState(copy);
    }

    /** The operators with state, in name order. */
    public java.util.Set<String> operators() {
        return operatorStates.keySet();
    }

    /** A copy of operator {@code name}'s snapshot bytes, or empty if it has none. */
    public java.util.Optional<byte[]> operatorState(String name) {
        byte[] bytes = operatorStates.get(name);
        return bytes == null ? java.util.Optional.empty() : java.util.Optional.of(bytes.clone());
    }

    /** Operator {@code name}'s snapshot as a read-only view, without a copy, or empty if it has none. */
    public java.util.Optional<java.nio.ByteBuffer> operatorStateView(String name) {
        byte[] bytes = operatorStates.get(name);
        return bytes == null ? java.util.Optional.empty() : java.util.Optional.of(java.nio.ByteBuffer.wrap(bytes).asReadOnlyBuffer());
    }

    /** Writes operator {@code name}'s snapshot, length-prefixed, without copying it first. */
    public void writeOperatorState(String name, dev.snapflow.serialization.io.ByteArrayDataOutput out) {
        byte[] bytes = operatorStates.get(name);
        if (bytes == null) {
            throw new IllegalArgumentException("No state for operator '" + name + "'");
        }
        out.writeInt(bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    /** The bytes of in-flight data in this state (see {@link #IN_FLIGHT_PREFIX}). */
    public long inFlightBytes() {
        return operatorStates.entrySet().stream().filter(part -> part.getKey().startsWith(IN_FLIGHT_PREFIX))
                .mapToLong(part -> part.getValue().length).sum();
    }

    public boolean hasInFlightData() {
        return operatorStates.keySet().stream().anyMatch(part -> part.startsWith(IN_FLIGHT_PREFIX));
    }

    public long sizeBytes() {
        return operatorStates.values().stream().mapToLong(bytes -> bytes.length).sum();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SubtaskState other) || !operatorStates.keySet().equals(other.operatorStates.keySet())) {
            return false;
        }
        return operatorStates.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), other.operatorStates.get(e.getKey())));
    }

    @Override
    public int hashCode() {
        int hash = 0;
        for (Map.Entry<String, byte[]> e : operatorStates.entrySet()) {
            hash += e.getKey().hashCode() ^ Arrays.hashCode(e.getValue());
        }
        return hash;
    }

    @Override
    public String toString() {
        return "SubtaskState" + operatorStates.keySet() + "(" + sizeBytes() + " bytes)";
    }
}
