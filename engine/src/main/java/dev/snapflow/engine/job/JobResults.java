package dev.snapflow.engine.job;

import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.graph.OperatorNode;
import dev.snapflow.engine.graph.SubtaskId;
import dev.snapflow.engine.runtime.subtask.SubtaskProtocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Gathers what finished subtasks report until every subtask has finished, then sums it up per
 * sink. Actor-confined to the job master.
 */
final class JobResults {

    private final int subtaskCount;
    private final Set<SubtaskId> finished = new HashSet<>();
    /** By sink name, then subtask index: what each sink subtask reported. */
    private final Map<String, TreeMap<Integer, SubtaskProtocol.SinkResult>> sinks = new LinkedHashMap<>();

    JobResults(ExecutionPlan plan) {
        this.subtaskCount = plan.chains().stream().mapToInt(ExecutionPlan.Chain::parallelism).sum();
        for (OperatorNode node : plan.graph().operators()) {
            if (node.isSink()) {
                sinks.put(node.name(), new TreeMap<>());
            }
        }
    }

    /** Records a finished subtask; true once every subtask of the job has finished. */
    boolean onFinished(SubtaskProtocol.SubtaskFinished report) {
        if (finished.add(report.subtask())) {
            for (SubtaskProtocol.SinkResult sink : report.sinks()) {
                sinks.get(sink.operatorName()).put(report.subtask().subtaskIndex(), sink);
            }
        }
        return finished.size() == subtaskCount;
    }

    JobOutcome.Finished finished(Duration duration) {
        Map<String, JobOutcome.SinkTotal> totals = new LinkedHashMap<>();
        sinks.forEach((name, bySubtask) -> {
            long records = 0;
            List<Object> collected = null;
            for (SubtaskProtocol.SinkResult result : bySubtask.values()) {
                records += result.records();
                if (result.collected().isPresent()) {
                    collected = collected == null ? new ArrayList<>() : collected;
                    collected.addAll(result.collected().get());
                }
            }
            totals.put(name, new JobOutcome.SinkTotal(name, records,
                    Optional.ofNullable(collected).map(java.util.Collections::unmodifiableList)));
        });
        return new JobOutcome.Finished(duration, totals);
    }
}
