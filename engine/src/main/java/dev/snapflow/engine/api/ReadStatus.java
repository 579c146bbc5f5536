package dev.snapflow.engine.api;

/** What a source reader reports after a read. */
public enum ReadStatus {
    /** More records can be read right away. */
    MORE_AVAILABLE,
    /** Nothing to read now (an unbounded source waiting for data); ask again a little later. */
    NOTHING_AVAILABLE,
    /** The reader is exhausted: its output ends with an EndOfPartitionEvent. */
    END_OF_INPUT
}
