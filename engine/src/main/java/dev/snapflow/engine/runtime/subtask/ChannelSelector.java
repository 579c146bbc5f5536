package dev.snapflow.engine.runtime.subtask;

import dev.snapflow.engine.api.KeySelector;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.state.KeyGroupRangeAssignment;

/** Picks the output channel of one record on a partitioned edge. Not used for broadcast. */
interface ChannelSelector {

    int select(Object record) throws Exception;

    /** The selector for {@code edge} as written by producer subtask {@code producerIndex}. */
    @SuppressWarnings("unchecked")
    static ChannelSelector forEdge(ExecutionPlan.NetworkEdge edge, int producerIndex) {
        return switch (edge.partitioning()) {
            case FORWARD -> record -> 0;
            case REBALANCE -> new RoundRobin(edge.consumerParallelism(), producerIndex);
            case HASH -> new ByKeyGroup((KeySelector<Object, Object>) edge.keySelector().orElseThrow(),
                    edge.consumerMaxParallelism(), edge.consumerParallelism());
            case BROADCAST -> throw new IllegalArgumentException("Broadcast edges write to every channel");
        };
    }

    /** Round robin, starting at a producer-dependent channel so that producers do not move in step. */
    final class RoundRobin implements ChannelSelector {
        private final int channels;
        private int next;

        RoundRobin(int channels, int start) {
            this.channels = channels;
            this.next = start % channels;
        }

        @Override
        public int select(Object record) {
            int channel = next;
            next = channel + 1 == channels ? 0 : channel + 1;
            return channel;
        }
    }

    /** The subtask owning the record key's key group, exactly as Flink assigns it. */
    final class ByKeyGroup implements ChannelSelector {
        private final KeySelector<Object, Object> keySelector;
        private final int maxParallelism;
        private final int parallelism;

        ByKeyGroup(KeySelector<Object, Object> keySelector, int maxParallelism, int parallelism) {
            this.keySelector = keySelector;
            this.maxParallelism = maxParallelism;
            this.parallelism = parallelism;
        }

        @Override
        public int select(Object record) throws Exception {
            return KeyGroupRangeAssignment.subtaskForKey(keySelector.key(record), maxParallelism, parallelism);
        }
    }
}
