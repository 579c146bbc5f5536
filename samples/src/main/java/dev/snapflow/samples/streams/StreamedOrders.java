package dev.snapflow.samples.streams;

import akka.actor.typed.ActorSystem;
import akka.stream.javadsl.FileIO;
import akka.stream.javadsl.Framing;
import akka.stream.javadsl.FramingTruncation;
import akka.util.ByteString;
import dev.snapflow.engine.JobAttemptFailure;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.Snapflow;
import dev.snapflow.engine.api.CheckpointListener;
import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.engine.checkpoint.stats.CheckpointStats;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.RestartStrategy;
import dev.snapflow.engine.config.RuntimeSettings;
import dev.snapflow.engine.graph.JobBuilder;
import dev.snapflow.engine.streams.AkkaStreams;
import dev.snapflow.engine.streams.Delivery;
import dev.snapflow.engine.streams.ReplayableStream;
import dev.snapflow.engine.streams.StreamOutput;
import dev.snapflow.samples.CheckpointReports;
import dev.snapflow.samples.FailedAttempts;
import dev.snapflow.samples.resume.ResumeFromCheckpoint;
import dev.snapflow.serialization.record.RecordSerializers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Akka Streams in and out of a job that fails once. Two order files are read by Akka Streams'
 * {@code FileIO} (one per source subtask), each line with the byte offset after it, which is the
 * position the job checkpoints: after the failure, each subtask reads its file again from the
 * offset in the latest checkpoint. The job totals the orders per customer (a Java record key) in
 * keyed state and releases each running total exactly once, when the checkpoint covering it
 * completed, into an Akka Streams {@code FileIO} sink writing a result file.
 *
 * <p>To make the failure land after a checkpoint, the second half of each file waits until the
 * first checkpoint completed; the totalling function then throws once.
 *
 * <p>The last line, every value computed: {@code RESULT sample=akka-streams orders=... failures_injected=1
 * restarts=1 released=... duplicates=0 counts_equal=true}.
 */
public final class StreamedOrders {

    static final int ORDERS_PER_FILE = 6_000;
    private static final Set<String> CUSTOMERS_REGIONS = Set.of("north", "south");

    private StreamedOrders() {
    }

    public enum Category { BOOKS, GAMES, TOOLS }

    public record Customer(String region, int number) {
    }

    public record Order(Customer customer, Category category, long cents) {
    }

    /** A line of an order file and the byte offset after it: where a subtask continues after this line. */
    record OrderLine(String text, long offsetAfter) {
    }

    /** One customer's running figures after an order. */
    public record Total(Customer customer, long orders, long cents) {
    }

    private static volatile CompletableFuture<Boolean> firstCheckpointDone = new CompletableFuture<>();
    private static final AtomicBoolean failureArmed = new AtomicBoolean();
    private static volatile CompletableFuture<Void> failureInjected = new CompletableFuture<>();

    public static void main(String[] args) throws Exception {
        ResumeFromCheckpoint.runAsProgram("streamed-orders", StreamedOrders::run);
    }

    /** Totals orders per customer; after the first completed checkpoint, throws at the next order, once. */
    static final class TotalPerCustomer implements KeyedProcessFunction<Customer, Order, Total>, CheckpointListener {
        private static final StateDescriptor.Value<Long> ORDERS = new StateDescriptor.Value<>("orders", RecordSerializers.longs());
        private static final StateDescriptor.Value<Long> CENTS = new StateDescriptor.Value<>("cents", RecordSerializers.longs());

        @Override
        public void processElement(Order order, Context<Customer> context, Collector<Total> out) {
            if (failureArmed.compareAndSet(true, false)) {
                failureInjected.complete(null);
                throw new IllegalStateException("Injected failure while totalling an order of " + order.customer());
            }
            ValueState<Long> orders = context.keyedState().state(ORDERS);
            ValueState<Long> cents = context.keyedState().state(CENTS);
            long count = orders.value() == null ? 1 : orders.value() + 1;
            long sum = (cents.value() == null ? 0 : cents.value()) + order.cents();
            orders.update(count);
            cents.update(sum);
            out.collect(new Total(context.currentKey(), count, sum));
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (!firstCheckpointDone.isDone()) {
                failureArmed.set(true);
                firstCheckpointDone.complete(true);
            }
        }
    }

    /** Writes {@code ORDERS_PER_FILE} orders into each of {@code files} files; returns them. */
    static List<Path> writeOrderFiles(Path directory, int files) throws IOException {
        Random random = new Random(42);
        List<String> regions = CUSTOMERS_REGIONS.stream().sorted().toList();
        List<Path> paths = new ArrayList<>();
        for (int file = 0; file < files; file++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < ORDERS_PER_FILE; i++) {
                text.append(regions.get(random.nextInt(regions.size()))).append(',').append(random.nextInt(40)).append(',')
                        .append(Category.values()[random.nextInt(Category.values().length)]).append(',')
                        .append(100 + random.nextInt(10_000)).append('\n');
            }
            Path path = directory.resolve("orders-" + file + ".csv");
            Files.writeString(path, text, StandardCharsets.UTF_8);
            paths.add(path);
        }
        return paths;
    }

    static Order parse(String line) {
        String[] fields = line.split(",");
        return new Order(new Customer(fields[0], Integer.parseInt(fields[1])), Category.valueOf(fields[2]),
                Long.parseLong(fields[3]));
    }

    /**
     * Subtask i reads file i from byte {@code position} on, line by line, each line with the
     * offset after it; the second half of the file waits for the first completed checkpoint.
     */
    static ReplayableStream<OrderLine> orderLines(List<Path> files) {
        return (subtask, parallelism, position) -> {
            Path file = files.get(subtask);
            long half = Files.size(file) / 2;
            return FileIO.fromPath(file, 8192, position)
                    .via(Framing.delimiter(ByteString.fromString("\n"), 1024, FramingTruncation.DISALLOW))
                    .scan(new OrderLine("", position),
                            (previous, bytes) -> new OrderLine(bytes.utf8String(), previous.offsetAfter() + bytes.size() + 1))
                    .drop(1)
                    .mapAsync(1, line -> line.offsetAfter() <= half
                            ? CompletableFuture.completedFuture(line)
                            : firstCheckpointDone.thenApply(done -> line));
        };
    }

    static boolean run(ActorSystem<?> system, Path directory, PrintStream out) throws Exception {
        firstCheckpointDone = new CompletableFuture<>();
        failureArmed.set(false);
        failureInjected = new CompletableFuture<>();
        List<Path> files = writeOrderFiles(directory, 2);
        Path resultFile = directory.resolve("totals.csv");
        Expected expected = expected(files);

        StreamOutput<Total> totals = AkkaStreams.output(system, Delivery.EXACTLY_ONCE);
        JobBuilder job = JobBuilder.create("streamed-orders");
        job.source("order-lines", AkkaStreams.replayable(system, orderLines(files), OrderLine::offsetAfter)).parallelism(2)
                .map("parse", (OrderLine line) -> parse(line.text()))
                .keyBy(Order::customer)
                .process("total", TotalPerCustomer::new).parallelism(2)
                .sink("totals", totals.sink()).parallelism(2);
        JobHandle handle = Snapflow.submit(system, job.build(),
                RuntimeSettings.create(system).withIdleSourcePollInterval(Duration.ofMillis(2))
                        .withRestartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(100))),
                CheckpointSettings.create(system).withInterval(Duration.ofMillis(50)).withDirectory(directory.resolve("checkpoints")));
        totals.watch(handle);
        // The job's output, released checkpoint by checkpoint, into an ordinary Akka Streams file sink.
        CompletableFuture<akka.stream.IOResult> written = totals.source()
                .map(total -> ByteString.fromString(total.customer().region() + "," + total.customer().number() + ","
                        + total.orders() + "," + total.cents() + "\n"))
                .runWith(FileIO.toPath(resultFile), system).toCompletableFuture();

        handle.result().toCompletableFuture().get(120, TimeUnit.SECONDS);
        written.get(30, TimeUnit.SECONDS);

        FailedAttempts.print(handle, 2, out);
        long completed = handle.checkpointStats().stream().filter(s -> s.status() == CheckpointStats.Status.COMPLETED).count();
        out.printf("Checkpoints completed: %d; each released the totals it covered into %s%n", completed, resultFile.getFileName());

        List<String> released = Files.readAllLines(resultFile, StandardCharsets.UTF_8);
        // Orders of one customer come from both files in any interleaving, so running sums differ
        // from run to run; each customer's order counts 1..n, once each, and its final sum do not.
        Map<String, Long> finalCents = new HashMap<>();
        Set<String> counts = new HashSet<>();
        int duplicates = 0;
        for (String line : released) {
            String[] fields = line.split(",");
            String customer = fields[0] + "," + fields[1];
            long orders = Long.parseLong(fields[2]);
            if (!counts.add(customer + "," + orders)) {
                duplicates++;
            }
            if (orders == expected.counts().get(customer)) {
                finalCents.put(customer, Long.parseLong(fields[3]));
            }
        }
        long missing = expected.countLines().stream().filter(line -> !counts.contains(line)).count();
        boolean equal = duplicates == 0 && missing == 0 && counts.size() == expected.countLines().size()
                && finalCents.equals(expected.finalCents());
        out.printf("Totals released: %d (a sequential run emits %d), duplicates: %d, missing: %d, final sums equal: %s%n",
                released.size(), expected.countLines().size(), duplicates, missing, finalCents.equals(expected.finalCents()));
        CheckpointReports.writeIfAsked(handle, out);
        long restarts = handle.failedAttempts().stream().filter(JobAttemptFailure::restarted).count();
        int failuresInjected = failureInjected.isDone() ? 1 : 0;
        out.printf("RESULT sample=akka-streams orders=%d failures_injected=%d restarts=%d released=%d duplicates=%d counts_equal=%s%n",
                files.size() * ORDERS_PER_FILE, failuresInjected, restarts, released.size(), duplicates, equal);
        return equal && failuresInjected == 1 && restarts == 1;
    }

    /** What a sequential run gives: each customer's count lines ("region,number,n" for n = 1..orders) and final sum. */
    record Expected(Map<String, Long> counts, Set<String> countLines, Map<String, Long> finalCents) {
    }

    static Expected expected(List<Path> files) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        Map<String, Long> cents = new HashMap<>();
        Set<String> countLines = new HashSet<>();
        for (Path file : files) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                Order order = parse(line);
                String customer = order.customer().region() + "," + order.customer().number();
                countLines.add(customer + "," + counts.merge(customer, 1L, Long::sum));
                cents.merge(customer, order.cents(), Long::sum);
            }
        }
        return new Expected(counts, countLines, cents);
    }
}
