/**
 * Subtasks: the {@link dev.snapflow.engine.runtime.subtask.SubtaskActor} shell, the
 * {@link dev.snapflow.engine.runtime.subtask.SubtaskRunner} that drives records from a source
 * or an input gate through the operator chain, the
 * {@link dev.snapflow.engine.runtime.subtask.SubtaskCheckpointer} that takes its part in checkpoints,
 * the {@link dev.snapflow.engine.runtime.subtask.InFlightReplayer} that restores in-flight data,
 * the chained operators, and the
 * {@link dev.snapflow.engine.runtime.subtask.RecordWriter}s that batch and partition records into
 * channels. {@link dev.snapflow.engine.runtime.subtask.SubtaskProtocol} is how subtasks report to
 * their job. Internal.
 */
package dev.snapflow.engine.runtime.subtask;
