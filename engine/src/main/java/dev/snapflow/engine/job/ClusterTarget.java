package dev.snapflow.engine.job;

import dev.snapflow.engine.config.JobParameters;

import java.util.Objects;
import java.util.Optional;

/**
 * What an attempt of a job on a cluster tells the workers, so that each builds the same job from
 * the definition registered under its name and starts from the same snapshot.
 *
 * @param jobName    the name the job's definition is registered under on every node
 * @param parameters what the definition builds the job from
 * @param jobId      the run's id: its checkpoints are in {@code <directory>/<jobId>}
 * @param restore    the snapshot this attempt's subtasks start from, if any
 * @param checkpointIdFloor the job's checkpoints get ids above this: a master that took over
 *                          numbers on past every checkpoint its lost predecessor may have begun,
 *                          whose late writes must not land in a checkpoint of its own
 * @param slotWaitTimeout   how long an attempt waits for enough free slots before the job fails
 *                          (without a restart); empty to wait as long as it takes
 */
public record ClusterTarget(String jobName, JobParameters parameters, String jobId,
                            Optional<DeploymentProtocol.RestoreSource> restore, long checkpointIdFloor,
                            Optional<java.time.Duration> slotWaitTimeout) {
    public ClusterTarget {
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(restore, "restore");
    }

    public ClusterTarget restoringFrom(Optional<DeploymentProtocol.RestoreSource> source) {
        return new ClusterTarget(jobName, parameters, jobId, source, checkpointIdFloor, slotWaitTimeout);
    }
}
