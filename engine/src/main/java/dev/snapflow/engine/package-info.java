/**
 * Snapflow's engine: the job graph API, the runtime actors, checkpointing, state, storage and
 * recovery. The root package will hold the user entry points; the sub-packages follow the
 * architecture in {@code src/site/markdown/architecture.md}.
 */
package dev.snapflow.engine;
