/**
 * The job graph: the fluent builder users describe a job with ({@link dev.snapflow.engine.graph.JobBuilder},
 * {@link dev.snapflow.engine.graph.DataStream}), the validated immutable
 * {@link dev.snapflow.engine.graph.JobGraph}, and the {@link dev.snapflow.engine.graph.ExecutionPlan}
 * that groups operators into chains and lays out the channels between them.
 *
 * <p>Public API (builder, streams, graph); pure Java with no Akka imports (a test enforces it).
 */
package dev.snapflow.engine.graph;
