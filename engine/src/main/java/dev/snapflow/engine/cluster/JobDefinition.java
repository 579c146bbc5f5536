package dev.snapflow.engine.cluster;

import dev.snapflow.engine.config.JobParameters;

/**
 * Builds a job from its parameters. Registered under a name on every node of a cluster
 * ({@code SnapflowCluster.registerJob}), so that a submission carries only the name and the
 * parameters: each node builds the job itself, and the same parameters must build the same job
 * (operators, names, parallelism) on every node.
 */
@FunctionalInterface
public interface JobDefinition {

    ClusterJob define(JobParameters parameters);
}
