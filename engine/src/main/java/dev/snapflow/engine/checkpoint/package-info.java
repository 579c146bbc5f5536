/**
 * Checkpointing: the barrier handlers that align a subtask's inputs
 * ({@link dev.snapflow.engine.checkpoint.barrier}), the coordinator and its protocol
 * ({@link dev.snapflow.engine.checkpoint.coordinator}), checkpoint statistics
 * ({@link dev.snapflow.engine.checkpoint.stats}, public values), and the reasons a checkpoint can
 * fail. Internal otherwise. This layer never imports the runtime: subtasks reach it through its
 * plain classes and its protocol.
 */
package dev.snapflow.engine.checkpoint;
