package dev.snapflow.engine;

import java.util.Map;

/**
 * A running job's figures over JMX, under {@code dev.snapflow:type=Job,name=<job name>,id=<job id>},
 * registered on the platform MBean server when the job is submitted and removed when its actors
 * stopped ({@code snapflow.metrics.jmx}). JConsole, VisualVM or a JMX exporter (Prometheus'
 * {@code jmx_exporter}, for one) read them like any other MXBean.
 */
public interface JobMXBean {

    String getJobName();

    String getJobId();

    /** RUNNING, FINISHED, FAILED or CANCELLED. */
    String getStatus();

    /** Records read by all subtasks, from sources and channels. */
    long getRecordsIn();

    /** Records written by all subtasks to output channels. */
    long getRecordsOut();

    /** Time subtasks spent unable to write because an output (a channel or a full sink) was full, summed. */
    long getBackpressuredMillis();

    /** Records read, by subtask ("operator (i/p)"). */
    Map<String, Long> getSubtaskRecordsIn();

    /** Backpressured time, by subtask. */
    Map<String, Long> getSubtaskBackpressuredMillis();

    /** Attempts that failed and were followed by another. */
    int getRestarts();

    long getCompletedCheckpoints();

    long getFailedCheckpoints();

    /** The id of the newest completed checkpoint or savepoint; -1 while there is none. */
    long getLastCompletedCheckpointId();

    /** Trigger to completion of the newest completed checkpoint, in milliseconds; -1 while there is none. */
    long getLastCheckpointDurationMillis();

    /** The state the newest completed checkpoint holds, in bytes; -1 while there is none. */
    long getLastCheckpointStateBytes();

    /** What the newest completed checkpoint wrote, in bytes (less than its state when incremental); -1 while there is none. */
    long getLastCheckpointWrittenBytes();
}
