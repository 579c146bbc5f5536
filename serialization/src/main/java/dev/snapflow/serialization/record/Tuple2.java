package dev.snapflow.serialization.record;

import java.util.Objects;

/**
 * A pair of non-null fields, named as in Flink so that ported jobs read the same.
 *
 * @param f0 the first field
 * @param f1 the second field
 */
public record Tuple2<A, B>(A f0, B f1) {
    public Tuple2 {
        Objects.requireNonNull(f0, "f0");
        Objects.requireNonNull(f1, "f1");
    }

    public static <A, B> Tuple2<A, B> of(A f0, B f1) {
        return new Tuple2<>(f0, f1);
    }
}
