/**
 * Checkpoint statistics: one {@link dev.snapflow.engine.checkpoint.stats.CheckpointStats} per
 * checkpoint (completed or failed) with per-subtask figures, as the job handle shows them.
 * Public API (values only).
 */
package dev.snapflow.engine.checkpoint.stats;
