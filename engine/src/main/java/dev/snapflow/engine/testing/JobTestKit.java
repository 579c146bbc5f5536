package dev.snapflow.engine.testing;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.JobResult;
import dev.snapflow.engine.Snapflow;
import dev.snapflow.engine.api.Sink;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.graph.JobGraph;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Runs whole jobs in an Akka {@link ActorTestKit}'s actor system: a source the test feeds, a sink
 * that hands every record to a {@link TestProbe}, and checkpoints, savepoints and results awaited
 * within the test kit's timeout ({@code akka.actor.testkit.typed.default-timeout}).
 *
 * <pre>{@code
 * JobTestKit jobs = JobTestKit.create(testKit);
 * TestInput<String> words = jobs.input();
 * TestProbe<Tuple2<String, Long>> counts = testKit.createTestProbe();
 * JobBuilder job = JobBuilder.create("count");
 * job.source("words", words.source()).keyBy(w -> w).process("count", CountWords::new).sink("out", jobs.probeSink(counts));
 * JobHandle handle = jobs.submit(job.build());
 * words.add("to", "be");
 * counts.expectMessage(Tuple2.of("to", 1L));
 * jobs.checkpoint(handle);
 * words.end();
 * jobs.awaitResult(handle);
 * }</pre>
 */
public final class JobTestKit {

    private final ActorTestKit testKit;
    private final Duration timeout;

    private JobTestKit(ActorTestKit testKit) {
        this.testKit = testKit;
        this.timeout = Duration.ofMillis(testKit.timeout().duration().toMillis());
    }

    public static JobTestKit create(ActorTestKit testKit) {
        return new JobTestKit(Objects.requireNonNull(testKit, "testKit"));
    }

    /** An input the test adds elements to; see {@link TestInput}. */
    public <T> TestInput<T> input() {
        return new TestInput<>();
    }

    /**
     * A sink that sends every record to {@code probe}. With parallelism above 1, records of
     * different subtasks interleave in any order. A job restarted after a failure sends the
     * records after its checkpoint again (the probe sees what an at-least-once sink would write).
     */
    public <T> Sink<T> probeSink(TestProbe<T> probe) {
        Objects.requireNonNull(probe, "probe");
        return context -> record -> probe.getRef().tell(record);
    }

    /** Submits {@code job} to the test kit's system with the settings of its configuration. */
    public JobHandle submit(JobGraph job) {
        return Snapflow.submit(testKit.system(), job);
    }

    public JobHandle submit(JobGraph job, RuntimeSettings runtime, CheckpointSettings checkpoints) {
        return Snapflow.submit(testKit.system(), job, runtime, checkpoints);
    }

    /** Triggers a checkpoint and waits until it completed; fails if it failed. */
    public CheckpointStats checkpoint(JobHandle job) throws Exception {
        return await(job.triggerCheckpoint(timeout), "checkpoint of job " + job.jobName());
    }

    /** Triggers a savepoint into {@code directory} and waits for it; returns its path. */
    public Path savepoint(JobHandle job, Path directory) throws Exception {
        return await(job.triggerSavepoint(directory, timeout), "savepoint of job " + job.jobName());
    }

    /** Stops the job with a savepoint into {@code directory}; returns its path. */
    public Path stopWithSavepoint(JobHandle job, Path directory) throws Exception {
        return await(job.stopWithSavepoint(directory, timeout), "stop-with-savepoint of job " + job.jobName());
    }

    /** Waits for the job to end; fails with the job's failure. */
    public JobResult awaitResult(JobHandle job) throws Exception {
        return await(job.result(), "the result of job " + job.jobName());
    }

    private <T> T await(CompletionStage<T> stage, String what) throws Exception {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("Timed out after " + timeout + " waiting for " + what, e);
        }
    }
}
