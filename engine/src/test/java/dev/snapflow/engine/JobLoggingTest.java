package dev.snapflow.engine;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestartStrategy;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.connectors.Sinks;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.runtime.JobLogContext;
import dev.snapflow.engine.testing.JobTestKit;
import dev.snapflow.engine.testing.TestInput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every line a job's actors log, and a user function's own lines, say which job, attempt and subtask they come from. */
class JobLoggingTest {

    private static ActorTestKit testKit;
    private static final AtomicBoolean failOnce = new AtomicBoolean();
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Logger root;
    private Level rootLevel;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void captureLines() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.INFO);
        lines.start();
        root.addAppender(lines);
    }

    @AfterEach
    void stopCapturing() {
        root.detachAppender(lines);
        root.setLevel(rootLevel);
    }

    /** Logs each value through its own SLF4J logger; fails once on value 50. */
    static final class LoggingFunction implements KeyedProcessFunction<Long, Long, Long> {
        private static final org.slf4j.Logger LOG = LoggerFactory.getLogger("user.function");

        @Override
        public void processElement(Long value, Context<Long> context, Collector<Long> out) {
            if (value == 50 && failOnce.compareAndSet(true, false)) {
                throw new IllegalStateException("injected at " + value);
            }
            if (value % 25 == 0) {
                LOG.info("saw {}", value);
            }
            out.collect(value);
        }
    }

    @Test
    void lines_carry_the_job_the_attempt_and_the_subtask_and_an_expected_failure_takes_one_line() throws Exception {
        failOnce.set(true);
        JobTestKit jobs = JobTestKit.create(testKit);
        TestInput<Long> numbers = jobs.input();
        JobBuilder job = JobBuilder.create("logged");
        job.source("numbers", numbers.source()).parallelism(1)
                .keyBy(value -> value % 2).process("log", LoggingFunction::new).parallelism(2)
                .sink("out", Sinks.discard());
        JobHandle handle = jobs.submit(job.build(),
                RuntimeSettings.create(testKit.system()).withRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ofMillis(10))),
                CheckpointSettings.create(testKit.system()).withoutInterval());
        numbers.add(LongStream.rangeClosed(1, 100).boxed().toArray(Long[]::new));
        // The attempt fails at 50, the next reads everything again; then a checkpoint of that attempt.
        TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(() -> assertThat(handle.failedAttempts()).hasSize(1));
        jobs.checkpoint(handle);
        numbers.end();
        jobs.awaitResult(handle);

        List<ILoggingEvent> userLines = lines.list.stream().filter(line -> line.getLoggerName().equals("user.function")).toList();
        assertThat(userLines).isNotEmpty().allSatisfy(line -> {
            assertThat(line.getMDCPropertyMap()).containsEntry(JobLogContext.JOB, "logged")
                    .containsEntry(JobLogContext.OPERATOR, "log").containsKey(JobLogContext.ATTEMPT);
            assertThat(line.getMDCPropertyMap().get(JobLogContext.SUBTASK)).isIn("1/2", "2/2");
            assertThat(line.getMDCPropertyMap().get(JobLogContext.SUMMARY)).matches("logged #[12] log \\([12]/2\\)");
        });
        assertThat(userLines).anyMatch(line -> "2".equals(line.getMDCPropertyMap().get(JobLogContext.ATTEMPT)));

        List<ILoggingEvent> restarts = lines.list.stream().filter(line -> line.getFormattedMessage().startsWith("Attempt 1 of job logged failed"))
                .toList();
        assertThat(restarts).hasSize(1);
        assertThat(restarts.get(0).getFormattedMessage()).contains("in log (", "injected at 50", "restarting in 10 ms");
        assertThat(restarts.get(0).getThrowableProxy()).as("the stack trace is kept for DEBUG").isNull();
        assertThat(restarts.get(0).getMDCPropertyMap()).containsEntry(JobLogContext.JOB, "logged");

        assertThat(lines.list).filteredOn(line -> line.getFormattedMessage().startsWith("Job logged: Checkpoint"))
                .isNotEmpty().allSatisfy(line -> assertThat(line.getMDCPropertyMap()).containsEntry(JobLogContext.ATTEMPT, "2"));
    }
}
