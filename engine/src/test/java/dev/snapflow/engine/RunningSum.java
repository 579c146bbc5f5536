package dev.snapflow.engine;

import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;
import dev.snapflow.engine.api.StateDescriptor;
import dev.snapflow.engine.api.ValueState;
import dev.snapflow.serialization.record.RecordSerializers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A keyed running sum in keyed value state that emits every update as {@code "key,sum"}.
 * Optionally fails on records while a shared counter of failures to inject is positive.
 */
final class RunningSum implements KeyedProcessFunction<Long, Long, String> {

    private static final StateDescriptor.Value<Long> SUM = new StateDescriptor.Value<>("sum", RecordSerializers.longs());

    private final AtomicInteger failuresToInject;
    private final long spinNanosPerRecord;
    private ValueState<Long> sum;

    RunningSum(AtomicInteger failuresToInject) {
        this(failuresToInject, 0);
    }

    /** @param spinNanosPerRecord how long each record keeps the subtask busy, to fill the channels in front of it */
    RunningSum(AtomicInteger failuresToInject, long spinNanosPerRecord) {
        this.failuresToInject = failuresToInject;
        this.spinNanosPerRecord = spinNanosPerRecord;
    }

    @Override
    public void processElement(Long value, Context<Long> context, Collector<String> out) {
        if (failuresToInject.get() > 0 && failuresToInject.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new IllegalStateException("injected failure");
        }
        if (spinNanosPerRecord > 0) {
            long until = System.nanoTime() + spinNanosPerRecord;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
        if (sum == null) {
            sum = context.keyedState().state(SUM);
        }
        Long current = sum.value();
        long updated = (current == null ? 0 : current) + value;
        sum.update(updated);
        out.collect(context.currentKey() + "," + updated);
    }

    /** The lines a failure-free run emits for {@code values} read in this order, keyed by {@code value % keys}. */
    static List<String> expectedLines(long values, long keys) {
        Map<Long, Long> sums = new HashMap<>();
        List<String> lines = new ArrayList<>();
        for (long value = 0; value < values; value++) {
            long key = value % keys;
            lines.add(key + "," + sums.merge(key, value, Long::sum));
        }
        return lines;
    }
}
