package dev.snapflow.engine;

import dev.snapflow.engine.api.Collector;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The running count of {@link CheckpointConsistencyTest}, reporting every key's final count at the
 * end of the input, encoded as {@code key * 1_000_000 + count}: one long per key keeps the sink's
 * type simple. Optionally fails on records while a shared counter of failures to inject is positive.
 */
final class ReportingCount extends CheckpointConsistencyTest.RunningCountBase {

    private final AtomicInteger failuresToInject;

    ReportingCount() {
        this(new AtomicInteger());
    }

    /** @param failuresToInject how many of the next records (over all subtasks) throw, one failure each */
    ReportingCount(AtomicInteger failuresToInject) {
        this.failuresToInject = failuresToInject;
    }

    @Override
    public void processElement(Long value, Context<Long> context, Collector<Long> out) {
        if (failuresToInject.get() > 0 && failuresToInject.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new IllegalStateException("injected failure");
        }
        super.processElement(value, context, out);
    }

    @Override
    public void finish(Collector<Long> out) {
        counts().forEach((key, count) -> out.collect(key * 1_000_000 + count));
    }

    /** The final count of every key, decoded from the reports. */
    static Map<Long, Long> decode(List<Long> reports) {
        Map<Long, Long> counts = new HashMap<>();
        reports.forEach(report -> counts.put(report / 1_000_000, report % 1_000_000));
        return counts;
    }
}
