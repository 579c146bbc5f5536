package dev.snapflow.engine.state;

import java.util.Objects;

/**
 * Where keys live: a key hashes to one of {@code maxParallelism} key groups, and each of
 * {@code parallelism} subtasks owns a contiguous range of them. The arithmetic is Flink's exactly,
 * so that keys land on the same subtask index as in a Flink job with the same settings, and so
 * that state can be redistributed by whole key groups when parallelism changes.
 */
public final class KeyGroupRangeAssignment {

    /** Upper bound of max parallelism: key group numbers must fit the snapshot format. */
    public static final int UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

    /** Lower bound of the default max parallelism. */
    public static final int DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 1 << 7;

    private KeyGroupRangeAssignment() {
    }

    /**
     * The key group of {@code key}: a MurmurHash3 finalization of its {@linkplain KeyHashing#hash
     * stable hash}, modulo max parallelism.
     *
     * @throws IllegalArgumentException for keys that cannot hash the same in every JVM
     */
    public static int keyGroupFor(Object key, int maxParallelism) {
        Objects.requireNonNull(key, "Keys must not be null");
        return keyGroupForHash(KeyHashing.hash(key), maxParallelism);
    }

    /** The key group of a key with hash code {@code keyHash}. */
    public static int keyGroupForHash(int keyHash, int maxParallelism) {
        checkMaxParallelism(maxParallelism);
        return murmurHash(keyHash) % maxParallelism;
    }

    /** The subtask index that owns {@code keyGroup}. */
    public static int subtaskForKeyGroup(int maxParallelism, int parallelism, int keyGroup) {
        checkParallelism(maxParallelism, parallelism);
        if (keyGroup < 0 || keyGroup >= maxParallelism) {
            throw new IllegalArgumentException("Key group " + keyGroup + " is outside [0, " + maxParallelism + ")");
        }
        return keyGroup * parallelism / maxParallelism;
    }

    /** The subtask index that owns {@code key}. */
    public static int subtaskForKey(Object key, int maxParallelism, int parallelism) {
        return subtaskForKeyGroup(maxParallelism, parallelism, keyGroupFor(key, maxParallelism));
    }

    /** The key groups subtask {@code subtaskIndex} owns: the inverse of {@link #subtaskForKeyGroup}. */
    public static KeyGroupRange rangeForSubtask(int maxParallelism, int parallelism, int subtaskIndex) {
        checkParallelism(maxParallelism, parallelism);
        if (subtaskIndex < 0 || subtaskIndex >= parallelism) {
            throw new IllegalArgumentException("Subtask index " + subtaskIndex + " is outside [0, " + parallelism + ")");
        }
        int start = (subtaskIndex * maxParallelism + parallelism - 1) / parallelism;
        int end = ((subtaskIndex + 1) * maxParallelism - 1) / parallelism;
        return new KeyGroupRange(start, end);
    }

    /**
     * Flink's default: one and a half times the parallelism rounded up to a power of two, at
     * least {@value #DEFAULT_LOWER_BOUND_MAX_PARALLELISM}, at most {@value #UPPER_BOUND_MAX_PARALLELISM}.
     */
    public static int defaultMaxParallelism(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("Parallelism must be >= 1, was " + parallelism);
        }
        long target = (long) parallelism + parallelism / 2;
        long roundedUp = Long.highestOneBit(target - 1) << 1;
        return (int) Math.min(Math.max(roundedUp, DEFAULT_LOWER_BOUND_MAX_PARALLELISM), UPPER_BOUND_MAX_PARALLELISM);
    }

    /** Checks {@code 1 <= maxParallelism <= }{@value #UPPER_BOUND_MAX_PARALLELISM}. */
    public static void checkMaxParallelism(int maxParallelism) {
        if (maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
            throw new IllegalArgumentException("Max parallelism must be between 1 and "
                    + UPPER_BOUND_MAX_PARALLELISM + ", was " + maxParallelism);
        }
    }

    private static void checkParallelism(int maxParallelism, int parallelism) {
        checkMaxParallelism(maxParallelism);
        if (parallelism < 1 || parallelism > maxParallelism) {
            throw new IllegalArgumentException("Parallelism must be between 1 and the max parallelism "
                    + maxParallelism + ", was " + parallelism);
        }
    }

    /**
     * One MurmurHash3 (x86, 32-bit, seed 0) round over the 4 bytes of {@code code}, then its
     * finalization mix, made non-negative as Flink does ({@code MIN_VALUE} maps to 0). Spreads
     * poorly distributed hash codes such as small integers evenly over the key groups.
     */
    static int murmurHashUnsigned(int code) {
        int k = code * 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        k *= 0x1b873593;
        int h = Integer.rotateLeft(k, 13);
        h = h * 5 + 0xe6546b64;
        h ^= 4;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    static int murmurHash(int code) {
        int h = murmurHashUnsigned(code);
        if (h >= 0) {
            return h;
        }
        return h == Integer.MIN_VALUE ? 0 : -h;
    }
}
