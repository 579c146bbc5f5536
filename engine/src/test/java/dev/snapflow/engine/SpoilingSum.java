package dev.snapflow.engine;

import dev.snapflow.engine.api.Collector;
import dev.snapflow.engine.api.KeyedProcessFunction;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link RunningSum} over mutable {@link Reading}s, which it spoils after use, as a consumer may:
 * a record it received is its own. Checkpoints must not see the change.
 */
final class SpoilingSum implements KeyedProcessFunction<Long, SpoilingSum.Reading, String> {

    /** A mutable record, as users write them: a POJO with a setter. */
    public static final class Reading {
        private long value;

        public Reading() {
        }

        Reading(long value) {
            this.value = value;
        }

        public long getValue() {
            return value;
        }

        public void setValue(long value) {
            this.value = value;
        }
    }

    private final RunningSum sum;

    /** @param spinNanosPerRecord see {@link RunningSum#RunningSum(AtomicInteger, long)} */
    SpoilingSum(AtomicInteger failuresToInject, long spinNanosPerRecord) {
        this.sum = new RunningSum(failuresToInject, spinNanosPerRecord);
    }

    @Override
    public void processElement(Reading reading, Context<Long> context, Collector<String> out) {
        long value = reading.getValue();
        reading.setValue(-1_000_000);
        sum.processElement(value, context, out);
    }
}
