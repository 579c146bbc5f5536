package dev.snapflow.engine.graph;

/** How records of an edge are distributed over the subtasks of the consuming operator. */
public enum Partitioning {
    /** Subtask i sends to subtask i; needs equal parallelism. Such edges are chained when possible. */
    FORWARD,
    /** Round robin over all consuming subtasks. */
    REBALANCE,
    /** By key: the key's key group decides the subtask, so that one subtask sees all records of a key. */
    HASH,
    /** Every record to every consuming subtask. */
    BROADCAST
}
