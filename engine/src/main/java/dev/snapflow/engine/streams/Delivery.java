package dev.snapflow.engine.streams;

/** What a job's Akka Streams output promises about the records it hands downstream. */
public enum Delivery {
    /**
     * Records go downstream as the sink receives them. After a failure the job replays from its
     * last checkpoint, so records after it come again.
     */
    AT_LEAST_ONCE,
    /**
     * Records go downstream only when the checkpoint that covers them completed, each once: the
     * sink is a two-phase-commit sink whose transactions are the records themselves, kept in the
     * checkpoint until released. Costs latency (up to a checkpoint interval) and checkpoint size
     * (the records of one interval per sink subtask).
     */
    EXACTLY_ONCE
}
