package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.testing.JobTestKit;
import dev.snapflow.engine.testing.TestInput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A job's figures on the platform MBean server, read as a JMX client would. */
class JobMXBeanTest {

    private static ActorTestKit testKit;
    private static JobTestKit jobs;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
        jobs = JobTestKit.create(testKit);
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @Test
    void a_running_job_shows_its_records_and_checkpoints_over_jmx_and_leaves_when_it_stops() throws Exception {
        TestInput<Long> numbers = jobs.input();
        JobBuilder job = JobBuilder.create("jmx \"figures\"");
        job.source("numbers", numbers.source()).parallelism(1)
                .keyBy(value -> value % 3).map("double", value -> value * 2).parallelism(2)
                .sink("out", Sinks.discard()).parallelism(2);
        JobHandle handle = jobs.submit(job.build());
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = JobMXBeans.objectName(handle.jobName(), handle.jobId());
        JobMXBean figures = JMX.newMXBeanProxy(server, name, JobMXBean.class);

        assertThat(figures.getStatus()).isEqualTo("RUNNING");
        assertThat(figures.getLastCompletedCheckpointId()).isEqualTo(-1);
        numbers.add(LongStream.rangeClosed(1, 1000).boxed().toArray(Long[]::new));
        testKit.createTestProbe().awaitAssert(() -> assertThat(figures.getRecordsIn()).isEqualTo(1000 + 1000));
        jobs.checkpoint(handle);

        assertThat(figures.getJobName()).isEqualTo("jmx \"figures\"");
        assertThat(figures.getCompletedCheckpoints()).isEqualTo(1);
        assertThat(figures.getLastCheckpointDurationMillis()).isNotNegative();
        TabularData bySubtask = (TabularData) server.getAttribute(name, "SubtaskRecordsIn");
        long keyed = bySubtask.values().stream().map(CompositeData.class::cast)
                .filter(row -> ((String) row.get("key")).startsWith("double"))
                .mapToLong(row -> (Long) row.get("value")).sum();
        assertThat(keyed).isEqualTo(1000);

        numbers.end();
        jobs.awaitResult(handle);
        handle.terminated().toCompletableFuture().join();
        testKit.createTestProbe().awaitAssert(() -> assertThat(server.isRegistered(name)).isFalse());
    }
}
