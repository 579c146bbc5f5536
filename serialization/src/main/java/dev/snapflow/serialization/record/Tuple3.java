package dev.snapflow.serialization.record;

import java.util.Objects;

/**
 * A triple of non-null fields, named as in Flink so that ported jobs read the same.
 *
 * @param f0 the first field
 * @param f1 the second field
 * @param f2 the third field
 */
public record Tuple3<A, B, C>(A f0, B f1, C f2) {
    public Tuple3 {
        Objects.requireNonNull(f0, "f0");
        Objects.requireNonNull(f1, "f1");
        Objects.requireNonNull(f2, "f2");
    }

    public static <A, B, C> Tuple3<A, B, C> of(A f0, B f1, C f2) {
        return new Tuple3<>(f0, f1, f2);
    }
}
