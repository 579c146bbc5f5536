/**
 * Checkpointing: the barrier handlers that align a subtask's inputs
 * ({@link dev.snapflow.engine.checkpoint.barrier}) and the reasons a checkpoint can fail.
 * Internal. This layer never imports the runtime: subtasks reach it through its plain classes
 * and its protocol.
 */
package dev.snapflow.engine.checkpoint;
