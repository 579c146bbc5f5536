package dev.snapflow.engine.api;

/**
 * The operator state of one subtask: lists of values that belong to the subtask as a whole, not
 * to a key (for example offsets or pending transactions). They are part of every checkpoint. When
 * a job is restored at another parallelism, the elements of a {@link #listState} are split evenly
 * among the new subtasks, and every new subtask gets all elements of a {@link #unionListState}.
 */
public interface OperatorStateStore {

    /** A list whose elements are split evenly among the subtasks on a rescaling restore. */
    <T> ListState<T> listState(StateDescriptor.List<T> descriptor);

    /** A list whose elements are given in full to every subtask on a rescaling restore. */
    <T> ListState<T> unionListState(StateDescriptor.List<T> descriptor);
}
