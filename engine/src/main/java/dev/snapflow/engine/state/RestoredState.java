package dev.snapflow.engine.state;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one subtask of a restored job starts from: for each part of its operators' state (named
 * as in {@link SubtaskState}), the snapshots it takes in. Usually one per part; after a rescale,
 * keyed state may come from several old subtasks, each of which the backend filters by key group.
 * Immutable.
 */
public final class RestoredState {

    private final Map<String, List<byte[]>> parts;

    /**
     * One operator's keyed and operator-list parts at a new parallelism, by new subtask index, each
     * by its suffix: every subtask takes all keyed snapshots (its backend keeps its key groups) and
     * its share of the operator lists ({@link OperatorStateBackend#redistribute}). The rule of a
     * rescaling restore, for jobs and for the test harness alike.
     *
     * @param keyed         the keyed snapshots of the old subtasks that have one, in old subtask order
     * @param operatorLists the operator-list snapshots likewise
     */
    public static List<Map<String, List<byte[]>>> rescaledParts(List<byte[]> keyed, List<byte[]> operatorLists,
                                                                int newParallelism) throws IOException {
        List<byte[]> shares = operatorLists.isEmpty() ? List.of()
                : OperatorStateBackend.redistribute(operatorLists, newParallelism);
        List<Map<String, List<byte[]>>> assigned = new ArrayList<>(newParallelism);
        for (int index = 0; index < newParallelism; index++) {
            Map<String, List<byte[]>> subtask = new TreeMap<>();
            if (!keyed.isEmpty()) {
                subtask.put(SubtaskState.KEYED_SUFFIX, List.copyOf(keyed));
            }
            if (!shares.isEmpty()) {
                subtask.put(SubtaskState.OPERATOR_SUFFIX, List.of(shares.get(index)));
            }
            assigned.add(subtask);
        }
        return assigned;
    }

    public RestoredState(Map<String, List<byte[]>> parts) {
        Map<String, List<byte[]>> copy = new TreeMap<>();
        parts.forEach((name, snapshots) -> copy.put(name, List.copyOf(new ArrayList<>(snapshots))));
        this.parts = copy;
    }

    /** The snapshots of part {@code name}, in old subtask order; empty if there are none. */
    public List<byte[]> snapshots(String name) {
        return parts.getOrDefault(name, List.of());
    }

    /** The single snapshot of a part that cannot be split (a source position, a function's own bytes). */
    public java.util.Optional<byte[]> single(String name) {
        List<byte[]> snapshots = snapshots(name);
        if (snapshots.size() > 1) {
            throw new IllegalStateException("State part '" + name + "' has " + snapshots.size() + " snapshots, expected one");
        }
        return snapshots.stream().findFirst();
    }

    /** This state with one more part. */
    public RestoredState with(String name, byte[] snapshot) {
        Map<String, List<byte[]>> more = new TreeMap<>(parts);
        more.put(name, List.of(snapshot));
        return new RestoredState(more);
    }

    public java.util.Set<String> partNames() {
        return parts.keySet();
    }
}
