/**
 * The job master: {@link dev.snapflow.engine.job.JobMasterActor} deploys a job's subtasks and
 * channels into the user's actor system, watches them, and reports the job's
 * {@link dev.snapflow.engine.job.JobOutcome}. Internal; users go through {@code Snapflow} and
 * {@code JobHandle}.
 */
package dev.snapflow.engine.job;
