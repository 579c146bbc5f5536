/**
 * The checkpoint coordinator: {@link dev.snapflow.engine.checkpoint.coordinator.CheckpointCoordinator}
 * (pure: trigger policy, pending and completed checkpoints, failure counting) and its actor shell
 * {@link dev.snapflow.engine.checkpoint.coordinator.CheckpointCoordinatorActor}, which owns the
 * timers and talks to subtasks through {@link dev.snapflow.engine.checkpoint.coordinator.CheckpointProtocol}.
 * Internal. Rules K1–K8 in {@code protocols.md}.
 */
package dev.snapflow.engine.checkpoint.coordinator;
