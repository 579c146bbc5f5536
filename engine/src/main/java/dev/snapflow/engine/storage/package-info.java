/**
 * Checkpoint storage: where subtasks write their state and the coordinator writes each
 * checkpoint's metadata, last. {@link dev.snapflow.engine.storage.CheckpointStorage} is the SPI;
 * {@link dev.snapflow.engine.storage.InMemoryCheckpointStorage} keeps everything on the heap.
 * Internal.
 */
package dev.snapflow.engine.storage;
