/**
 * State: keyed state on the heap ({@link dev.snapflow.engine.state.HeapKeyedStateBackend}, in
 * {@link dev.snapflow.engine.state.CopyOnWriteStateMap}s whose snapshots cost an array copy, written
 * grouped by key group so that it can be restored at another parallelism, in full or incrementally
 * as a {@link dev.snapflow.engine.state.KeyedStateChain} of shared files), operator list state
 * with its redistribution ({@link dev.snapflow.engine.state.OperatorStateBackend}), a subtask's
 * part of a checkpoint ({@link dev.snapflow.engine.state.SubtaskState}), and the key-group
 * arithmetic ({@link dev.snapflow.engine.state.KeyGroupRangeAssignment}). Pure Java: no Akka
 * imports (a test enforces it). Actor-confined to the subtask that owns the state.
 *
 * <p>{@code KeyGroupRangeAssignment} and {@code KeyGroupRange} are public API (users choose the max
 * parallelism and may need to predict where a key goes); the rest is internal, reached by users
 * only through the state interfaces of {@code dev.snapflow.engine.api}.
 */
package dev.snapflow.engine.state;
