package dev.snapflow.engine;

import akka.actor.typed.ActorSystem;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.function.ToLongFunction;

/** Registers a job's {@link JobMXBean} for as long as its actors run. */
final class JobMXBeans {

    private static final Logger LOG = LoggerFactory.getLogger(JobMXBeans.class);

    private JobMXBeans() {
    }

    static ObjectName objectName(String jobName, String jobId) throws JMException {
        return new ObjectName("dev.snapflow:type=Job,name=" + ObjectName.quote(jobName) + ",id=" + ObjectName.quote(jobId));
    }

    /**
     * Registers {@code job}'s figures unless {@code snapflow.metrics.jmx} is off or a handle of the
     * same job registered them already (a cluster node asked for a handle twice); they go when
     * the job's actors stopped. A JMX failure only logs.
     *
     * @return {@code job}
     */
    static JobHandle registerIfEnabled(ActorSystem<?> system, JobHandle job) {
        if (!system.settings().config().getBoolean("snapflow.metrics.jmx")) {
            return job;
        }
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName name = objectName(job.jobName(), job.jobId());
            try {
                server.registerMBean(new Figures(job), name);
            } catch (InstanceAlreadyExistsException alreadyThere) {
                return job;
            }
            job.terminated().whenComplete((done, failure) -> {
                try {
                    server.unregisterMBean(name);
                } catch (JMException e) {
                    LOG.warn("Could not remove the JMX figures of job {}: {}", job.jobName(), e.toString());
                }
            });
        } catch (JMException e) {
            LOG.warn("Could not register the JMX figures of job {}: {}", job.jobName(), e.toString());
        }
        return job;
    }

    private record Figures(JobHandle job) implements JobMXBean {

        @Override
        public String getJobName() {
            return job.jobName();
        }

        @Override
        public String getJobId() {
            return job.jobId();
        }

        @Override
        public String getStatus() {
            var result = job.result().toCompletableFuture();
            if (!result.isDone()) {
                return "RUNNING";
            }
            try {
                result.join();
                return "FINISHED";
            } catch (CancellationException e) {
                return "CANCELLED";
            } catch (CompletionException e) {
                return e.getCause() instanceof CancellationException ? "CANCELLED" : "FAILED";
            }
        }

        @Override
        public long getRecordsIn() {
            return sum(JobMetrics.Subtask::recordsIn);
        }

        @Override
        public long getRecordsOut() {
            return sum(JobMetrics.Subtask::recordsOut);
        }

        @Override
        public long getBackpressuredMillis() {
            return sum(JobMetrics.Subtask::backpressuredMillis);
        }

        @Override
        public Map<String, Long> getSubtaskRecordsIn() {
            return bySubtask(JobMetrics.Subtask::recordsIn);
        }

        @Override
        public Map<String, Long> getSubtaskBackpressuredMillis() {
            return bySubtask(JobMetrics.Subtask::backpressuredMillis);
        }

        @Override
        public int getRestarts() {
            return (int) job.failedAttempts().stream().filter(JobAttemptFailure::restarted).count();
        }

        @Override
        public long getCompletedCheckpoints() {
            return job.checkpointStats().stream().filter(c -> c.status() == CheckpointStats.Status.COMPLETED).count();
        }

        @Override
        public long getFailedCheckpoints() {
            return job.checkpointStats().stream().filter(c -> c.status() == CheckpointStats.Status.FAILED).count();
        }

        @Override
        public long getLastCompletedCheckpointId() {
            return lastCompleted().map(CheckpointStats::id).orElse(-1L);
        }

        @Override
        public long getLastCheckpointDurationMillis() {
            return lastCompleted().map(CheckpointStats::endToEndMillis).orElse(-1L);
        }

        @Override
        public long getLastCheckpointStateBytes() {
            return lastCompleted().map(CheckpointStats::stateBytes).orElse(-1L);
        }

        @Override
        public long getLastCheckpointWrittenBytes() {
            return lastCompleted().map(CheckpointStats::writtenBytes).orElse(-1L);
        }

        private Optional<CheckpointStats> lastCompleted() {
            List<CheckpointStats> stats = job.checkpointStats();
            for (int i = stats.size() - 1; i >= 0; i--) {
                if (stats.get(i).status() == CheckpointStats.Status.COMPLETED) {
                    return Optional.of(stats.get(i));
                }
            }
            return Optional.empty();
        }

        private long sum(ToLongFunction<JobMetrics.Subtask> figure) {
            return job.metrics().subtasks().stream().mapToLong(figure).sum();
        }

        private Map<String, Long> bySubtask(ToLongFunction<JobMetrics.Subtask> figure) {
            Map<String, Long> figures = new LinkedHashMap<>();
            job.metrics().subtasks().forEach(subtask -> figures.put(subtask.name(), figure.applyAsLong(subtask)));
            return figures;
        }
    }
}
