/**
 * Keyed and operator state, partitioned into key groups so that a snapshot taken at one
 * parallelism can be restored at another. Pure Java: no Akka imports (a test enforces it).
 *
 * <p>{@link dev.snapflow.engine.state.KeyGroupRangeAssignment} and
 * {@link dev.snapflow.engine.state.KeyGroupRange} are public because users choose the max
 * parallelism and may need to predict where a key goes; the rest of this package is internal.
 */
package dev.snapflow.engine.state;
