package dev.snapflow.engine.graph;

import dev.snapflow.engine.api.KeySelector;

import java.util.Objects;
import java.util.Optional;

/**
 * The input edge of an operator.
 *
 * @param sourceId     the producing operator's id
 * @param targetId     the consuming operator's id
 * @param partitioning how records are distributed; never null once the graph is built
 * @param keySelector  present exactly for {@link Partitioning#HASH}
 */
public record StreamEdge(int sourceId, int targetId, Partitioning partitioning, Optional<KeySelector<?, ?>> keySelector) {
    public StreamEdge {
        Objects.requireNonNull(partitioning, "partitioning");
        Objects.requireNonNull(keySelector, "keySelector");
        if ((partitioning == Partitioning.HASH) != keySelector.isPresent()) {
            throw new IllegalArgumentException("A key selector belongs to HASH edges only, edge was " + partitioning);
        }
    }

    public boolean isKeyed() {
        return partitioning == Partitioning.HASH;
    }
}
