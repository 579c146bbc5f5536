/**
 * Snapflow's entry points: {@link dev.snapflow.engine.Snapflow#submit} deploys a
 * {@link dev.snapflow.engine.graph.JobGraph} into your actor system and returns a
 * {@link dev.snapflow.engine.JobHandle} with the job's {@link dev.snapflow.engine.JobResult},
 * cancel and live {@link dev.snapflow.engine.JobMetrics}. Public API. The sub-packages follow
 * {@code src/site/markdown/architecture.md}.
 */
package dev.snapflow.engine;
