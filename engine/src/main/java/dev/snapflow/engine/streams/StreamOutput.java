package dev.snapflow.engine.streams;

import akka.NotUsed;
import akka.actor.ClassicActorSystemProvider;
import akka.actor.typed.javadsl.Adapter;
import akka.stream.Attributes;
import akka.stream.Outlet;
import akka.stream.SourceShape;
import akka.stream.javadsl.Source;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import dev.snapflow.engine.JobHandle;
import dev.snapflow.engine.api.RuntimeContext;
import dev.snapflow.engine.api.Sink;
import dev.snapflow.engine.api.SinkWriter;
import dev.snapflow.engine.api.TwoPhaseCommitSinkWriter;
import dev.snapflow.serialization.io.ByteArrayDataOutput;
import dev.snapflow.serialization.io.ByteBufferDataInput;
import dev.snapflow.serialization.record.RecordSerializer;
import dev.snapflow.serialization.record.ValueCodec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A job's output as an Akka Streams {@link Source}: the subtasks of {@link #sink()} hand their
 * records to it in batches, and the stream materialized from {@link #source()} (once) takes them
 * as fast as it pulls. At most {@code capacity} records wait between the two: a sink subtask that
 * finds it full pauses, so a slow stream holds the job back through its credits instead of
 * filling memory.
 *
 * <p>When the stream ends: give the job's handle to {@link #watch}, and the source completes
 * (after the records that wait) when the job finished, stopped with a savepoint included, and
 * fails when the job failed or was cancelled. Without a watched job, it completes when every sink
 * subtask of the latest attempt finished (for {@link Delivery#EXACTLY_ONCE}, once its last records
 * were committed), which misses subtasks a restore starts as finished and a stop with a
 * savepoint. If the stream stops taking records first (cancelled downstream, {@link #failWith}),
 * the job's sink subtasks fail, naming the output, rather than wait for good.
 *
 * <p>The output lives as long as the user keeps it, across the job's restarts in this JVM: with
 * {@code EXACTLY_ONCE} it remembers which transactions it released, so that a restore committing
 * again what its checkpoint held pending releases nothing twice. It remembers the most recent
 * {@value #REMEMBERED_TRANSACTIONS}, far more than a restore can bring back (the transactions of
 * the checkpoint restored from). Records released but not yet taken by the stream are in memory
 * only: a job restored in another JVM, into a new output, commits its checkpoint's pending
 * transactions again there.
 *
 * @param <T> the record type
 */
public final class StreamOutput<T> {

    static final int REMEMBERED_TRANSACTIONS = 100_000;
    private static final int BATCH = StreamSourceReader.MAX_BATCH;

    private final ClassicActorSystemProvider system;
    private final Delivery delivery;
    private final long capacity;
    private final Queue<List<T>> batches = new ConcurrentLinkedQueue<>();
    /** Records in {@link #batches}. */
    private final AtomicLong waiting = new AtomicLong();
    private final Queue<Writer> paused = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean materialized = new AtomicBoolean();
    private volatile AsyncCallback<Object> wakeStage;
    private volatile Throwable failure;
    private volatile boolean complete;
    /** Why the stream takes no more records, once it stopped (completed, failed or cancelled). */
    private volatile String stopped;
    private volatile boolean watched;
    /** Guarded by itself. */
    private final BitSet finishedSubtasks = new BitSet();
    /** Guarded by itself; insertion-ordered so the oldest are forgotten first. */
    private final Map<String, Boolean> released = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_TRANSACTIONS;
        }
    };

    StreamOutput(ClassicActorSystemProvider system, Delivery delivery, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("An output's capacity must be at least 1 record, was " + capacity);
        }
        this.system = system;
        this.delivery = delivery;
        this.capacity = capacity;
    }

    public Delivery delivery() {
        return delivery;
    }

    /** The sink to give the job: {@code job....sink("out", output.sink())}. */
    public Sink<T> sink() {
        if (delivery == Delivery.EXACTLY_ONCE) {
            ValueCodec codec = ValueCodec.create(Adapter.toTyped(system.classicSystem()));
            return context -> new ExactlyOnceWriter(context, codec);
        }
        return AtLeastOnceWriter::new;
    }

    /**
     * The job's records, as they are released. Materialize it once (a second materialization
     * fails); until then, the job waits once {@code capacity} records are ready.
     */
    public Source<T, NotUsed> source() {
        return Source.fromGraph(new OutputStage());
    }

    /** Runs {@link #source()} into {@code sink} on the output's actor system. */
    public <M> M runWith(akka.stream.javadsl.Sink<T, M> sink) {
        return source().runWith(sink, system);
    }

    /** Fails the stream with {@code cause}: for a job that will not finish. */
    public void failWith(Throwable cause) {
        failure = cause;
        wake();
    }

    /**
     * Ends the stream with {@code job}: it completes, once the records that wait were taken, when
     * the job finished or stopped with a savepoint, and fails when the job failed or was cancelled.
     */
    public StreamOutput<T> watch(JobHandle job) {
        watched = true;
        job.result().whenComplete((result, error) -> {
            if (error != null) {
                failWith(error);
            } else {
                complete = true;
                wake();
            }
        });
        return this;
    }

    /**
     * Hands {@code batch} on; true if there is room for more.
     *
     * @throws IllegalStateException once the stream takes no more records
     */
    private boolean offer(List<T> batch, RuntimeContext context) {
        String why = stopped;
        if (why != null) {
            throw new IllegalStateException("The stream output of sink '" + context.operatorName() + "' takes no more records: "
                    + why);
        }
        batches.add(batch);
        boolean room = waiting.addAndGet(batch.size()) < capacity;
        wake();
        return room;
    }

    /**
     * Pauses {@code writer} until the stream has taken enough, once however often it is asked.
     * Registered before a last check, so that a stream that drained everything in between does
     * not leave the writer paused for good.
     */
    private void pauseUntilRoom(Writer writer) {
        if (!writer.waitingForRoom.compareAndSet(false, true)) {
            return;
        }
        writer.flowControl.pause();
        paused.add(writer);
        if ((waiting.get() < capacity || stopped != null) && paused.remove(writer)) {
            writer.resumeNow();
        }
    }

    private void resumeWriters() {
        Writer writer;
        while ((writer = paused.poll()) != null) {
            writer.resumeNow();
        }
    }

    private void subtaskFinished(RuntimeContext context) {
        synchronized (finishedSubtasks) {
            finishedSubtasks.set(context.subtaskIndex());
            if (!watched && finishedSubtasks.cardinality() == context.parallelism()) {
                complete = true;
            }
        }
        wake();
    }

    /**
     * What a writer of either kind shares: its subtask, its flow control and whether it waits for
     * room. Made when the writer is, for a new attempt: its subtask has not finished (an earlier
     * attempt's may have).
     */
    private final class Writer {
        private final RuntimeContext context;
        private final AtomicBoolean waitingForRoom = new AtomicBoolean();
        private SinkWriter.FlowControl flowControl;

        Writer(RuntimeContext context) {
            this.context = context;
            synchronized (finishedSubtasks) {
                finishedSubtasks.clear(context.subtaskIndex());
            }
        }

        /** From any thread. */
        void resumeNow() {
            waitingForRoom.set(false);
            flowControl.resume();
        }
    }

    /** True the first time transaction {@code id} is released. */
    private boolean firstRelease(String id) {
        synchronized (released) {
            return released.put(id, Boolean.TRUE) == null;
        }
    }

    private void wake() {
        AsyncCallback<Object> callback = wakeStage;
        if (callback != null) {
            callback.invoke(Boolean.TRUE);
        }
    }

    private final class OutputStage extends GraphStage<SourceShape<T>> {
        private final Outlet<T> out = Outlet.create("StreamOutput.out");
        private final SourceShape<T> shape = SourceShape.of(out);

        @Override
        public SourceShape<T> shape() {
            return shape;
        }

        @Override
        public GraphStageLogic createLogic(Attributes attributes) {
            if (!materialized.compareAndSet(false, true)) {
                throw new IllegalStateException("A job's stream output can be materialized only once");
            }
            return new GraphStageLogic(shape) {
                private List<T> current = List.of();
                private int next;

                {
                    setHandler(out, new AbstractOutHandler() {
                        @Override
                        public void onPull() {
                            pushNext();
                        }
                    });
                }

                /** However the stream ended, writers must not wait for it: they fail on their next records instead. */
                @Override
                public void postStop() {
                    Throwable cause = failure;
                    stopped = cause != null ? "it failed: " + cause
                            : complete ? "it completed" : "its downstream cancelled it";
                    wakeStage = null;
                    resumeWriters();
                }

                @Override
                public void preStart() {
                    wakeStage = createAsyncCallback(signal -> {
                        if (isAvailable(out)) {
                            pushNext();
                        }
                    });
                    // Batches offered before the callback was set.
                    pushNext();
                }

                /** Pushes the next record if there is one; ends the stream once done. */
                private void pushNext() {
                    if (next == current.size()) {
                        List<T> batch = batches.poll();
                        if (batch != null) {
                            current = batch;
                            next = 0;
                            if (waiting.addAndGet(-batch.size()) < capacity) {
                                resumeWriters();
                            }
                        }
                    }
                    if (next < current.size()) {
                        if (isAvailable(out)) {
                            push(out, current.get(next++));
                        }
                        return;
                    }
                    Throwable cause = failure;
                    if (cause != null) {
                        failStage(cause);
                    } else if (complete && batches.isEmpty()) {
                        completeStage();
                    }
                }

            };
        }
    }

    /**
     * Hands records on in batches: when one is full, at the flush timeout, at the end, and before
     * each checkpoint snapshot (so a completed checkpoint covers only records handed on).
     */
    private final class AtLeastOnceWriter implements SinkWriter<T> {
        private final Writer writer;
        private List<T> batch = new ArrayList<>(BATCH);

        AtLeastOnceWriter(RuntimeContext context) {
            this.writer = new Writer(context);
        }

        @Override
        public void setFlowControl(FlowControl flowControl) {
            writer.flowControl = flowControl;
        }

        @Override
        public void write(T record) {
            batch.add(record);
            if (batch.size() == BATCH) {
                flush();
            }
        }

        @Override
        public void flush() {
            if (!batch.isEmpty()) {
                List<T> full = batch;
                batch = new ArrayList<>(BATCH);
                if (!offer(full, writer.context)) {
                    pauseUntilRoom(writer);
                }
            }
        }

        @Override
        public Optional<List<Object>> finish() {
            flush();
            subtaskFinished(writer.context);
            return Optional.empty();
        }
    }

    /** A transaction: the records written between two checkpoints, released when the second completed. */
    record Staged(String id, List<Object> records) {
    }

    private final class ExactlyOnceWriter extends TwoPhaseCommitSinkWriter<T, Staged> {
        private final ValueCodec codec;
        private final Writer writer;

        ExactlyOnceWriter(RuntimeContext context, ValueCodec codec) {
            this.writer = new Writer(context);
            this.codec = codec;
        }

        @Override
        public void setFlowControl(FlowControl flowControl) {
            writer.flowControl = flowControl;
        }

        @Override
        protected Staged beginTransaction() {
            return new Staged(UUID.randomUUID().toString(), new ArrayList<>());
        }

        /** Records wait in the open transaction; the subtask pauses while released ones fill the output. */
        @Override
        protected void write(Staged transaction, T record) {
            transaction.records().add(record);
            if (waiting.get() >= capacity && !writer.waitingForRoom.get()) {
                pauseUntilRoom(writer);
            }
        }

        /** Nothing to do: the records are the transaction, and the checkpoint stores them. */
        @Override
        protected void preCommit(Staged transaction) {
        }

        @SuppressWarnings("unchecked")
        @Override
        protected void commit(Staged transaction) {
            if (!firstRelease(transaction.id())) {
                return;
            }
            // Views, not copies: a committed transaction's list is never changed again.
            List<T> records = (List<T>) (List<?>) transaction.records();
            boolean room = true;
            for (int from = 0; from < records.size(); from += BATCH) {
                room = offer(records.subList(from, Math.min(records.size(), from + BATCH)), writer.context);
            }
            if (!room) {
                pauseUntilRoom(writer);
            }
        }

        @Override
        protected void abort(Staged transaction) {
            transaction.records().clear();
        }

        @Override
        protected void allCommitted() {
            subtaskFinished(writer.context);
        }

        @Override
        protected RecordSerializer<Staged> transactionSerializer() {
            return new StagedSerializer(codec, writer.context.operatorName());
        }
    }

    /** A transaction in a checkpoint: its id, then its records, each with its type (see {@link ValueCodec}). */
    private record StagedSerializer(ValueCodec codec, String operatorName) implements RecordSerializer<Staged> {
        @Override
        public void serialize(Staged transaction, ByteArrayDataOutput out) throws IOException {
            out.writeUTF(transaction.id());
            out.writeInt(transaction.records().size());
            ValueCodec.Writer writer = codec.writer(out);
            for (Object record : transaction.records()) {
                writer.write(record);
            }
        }

        @Override
        public Staged deserialize(ByteBufferDataInput in) throws IOException {
            String id = in.readUTF();
            int count = in.readInt();
            in.require(count, "records of a stream output transaction");
            ValueCodec.Reader reader = codec.reader(in, "records of the stream output of operator '" + operatorName + "'");
            List<Object> records = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                records.add(reader.read());
            }
            return new Staged(id, records);
        }
    }
}
