package dev.snapflow.engine;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterActorRefProvider;
import dev.snapflow.engine.cluster.ClusterJob;
import dev.snapflow.engine.cluster.ClusterJobMaster;
import dev.snapflow.engine.cluster.JobAnnouncer;
import dev.snapflow.engine.cluster.JobClient;
import dev.snapflow.engine.cluster.ClusterWorker;
import dev.snapflow.engine.cluster.JobDefinition;
import dev.snapflow.engine.config.CheckpointSettings;
import dev.snapflow.engine.config.JobParameters;
import dev.snapflow.engine.graph.ExecutionPlan;
import dev.snapflow.engine.job.DeploymentProtocol;
import dev.snapflow.engine.job.JobOutcome;
import dev.snapflow.engine.job.MetricsRegistry;
import dev.snapflow.engine.storage.FileSystemCheckpointStorage;
import dev.snapflow.serialization.record.JacksonCompatibility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Snapflow on an Akka Cluster: start it on every node, register the same jobs on every node, and
 * submit them by name from any node.
 *
 * <pre>{@code
 * SnapflowCluster cluster = SnapflowCluster.get(system);     // offers snapflow.cluster.slots task slots
 * cluster.registerJob("word-count", parameters -> ClusterJob.of(wordCount(parameters)));
 * JobHandle job = cluster.submit("word-count", JobParameters.empty().with("input", "/data/in"));
 * }</pre>
 *
 * A node offers its slots once it has registered a job. A submission sends only the job's name and
 * parameters across the cluster; every node builds the job from its own registered definition.
 * The job's subtasks are placed on the members' slots ({@code Placement}); its channels run next
 * to their producers, and batches to a consumer on another node cross as buffers of the
 * serialization module's format. Checkpoints go to a directory every node sees.
 */
public final class SnapflowCluster implements Extension {

    /** The extension's id: one {@link SnapflowCluster} per actor system. */
    public static final class Id extends ExtensionId<SnapflowCluster> {
        private static final Id INSTANCE = new Id();

        private Id() {
        }

        @Override
        public SnapflowCluster createExtension(ActorSystem<?> system) {
            return new SnapflowCluster(system);
        }
    }

    public static final String SLOTS_PATH = "snapflow.cluster.slots";

    private final ActorSystem<?> system;
    private final int slots;
    private final Map<String, JobDefinition> definitions = new ConcurrentHashMap<>();
    /** The jobs of the cluster this node knows of, by id. */
    private final Map<String, ClusterJobMaster.AnnouncedJob> jobs = new ConcurrentHashMap<>();
    private final ActorRef<JobAnnouncer.Command> announcer;
    private ActorRef<DeploymentProtocol.WorkerCommand> worker;

    private SnapflowCluster(ActorSystem<?> system) {
        if (!(((akka.actor.ExtendedActorSystem) Adapter.toClassic(system)).provider() instanceof ClusterActorRefProvider)) {
            throw new IllegalStateException("SnapflowCluster needs an actor system that is a cluster member: set "
                    + "akka.actor.provider = cluster (actor system '" + system.name() + "' has "
                    + system.settings().config().getString("akka.actor.provider") + ")");
        }
        this.system = system;
        this.slots = system.settings().config().getInt(SLOTS_PATH);
        if (slots < 1) {
            throw new IllegalArgumentException(SLOTS_PATH + " must be at least 1, was " + slots
                    + ": a node that offers no slots cannot run any part of a job");
        }
        this.announcer = system.systemActorOf(JobAnnouncer.create(this::definition, jobs), "snapflow-announcer", Props.empty());
    }

    /** The cluster extension of {@code system}, started on first use. */
    public static SnapflowCluster get(ActorSystem<?> system) {
        return Id.INSTANCE.apply(system);
    }

    /** The task slots this node offers. */
    public int slots() {
        return slots;
    }

    /**
     * Registers a job under {@code name}; register the same jobs on every node, at start. The
     * first registration makes this node offer its slots to jobs.
     *
     * @throws IllegalArgumentException if another definition is registered under the name
     */
    public synchronized SnapflowCluster registerJob(String name, JobDefinition definition) {
        JobDefinition earlier = definitions.putIfAbsent(name, definition);
        if (earlier != null && earlier != definition) {
            throw new IllegalArgumentException("A job is registered as '" + name + "' on this node already");
        }
        if (worker == null) {
            worker = system.systemActorOf(ClusterWorker.create(slots, this::definition), "snapflow-worker", Props.empty());
        }
        return this;
    }

    private Optional<JobDefinition> definition(String jobName) {
        return Optional.ofNullable(definitions.get(jobName));
    }

    /**
     * The task slots the cluster's workers offer now, free of running jobs, as this node's
     * Receptionist knows them: for an application that waits for its members before it submits.
     * A worker that does not answer within {@code timeout} counts as offering none.
     */
    public CompletionStage<Integer> freeSlots(Duration timeout) {
        CompletionStage<Receptionist.Listing> listing = AskPattern.ask(system.receptionist(),
                replyTo -> Receptionist.find(DeploymentProtocol.WORKER_KEY, replyTo), timeout, system.scheduler());
        return listing.thenCompose(found -> {
            CompletableFuture<Integer> total = CompletableFuture.completedFuture(0);
            for (ActorRef<DeploymentProtocol.WorkerCommand> worker : found.getServiceInstances(DeploymentProtocol.WORKER_KEY)) {
                CompletionStage<Integer> slots = AskPattern.<DeploymentProtocol.WorkerCommand, DeploymentProtocol.SlotsOffered>ask(
                                worker, DeploymentProtocol.DescribeSlots::new, timeout, system.scheduler())
                        .handle((offered, failure) -> offered == null ? 0 : offered.slots());
                total = total.thenCombine(slots, Integer::sum);
            }
            return total;
        });
    }

    /** The names of the jobs registered on this node. */
    public Set<String> registeredJobs() {
        return new TreeSet<>(definitions.keySet());
    }

    /**
     * Runs the job registered as {@code name}, built from {@code parameters}, on the cluster's
     * slots, and returns its handle, which works from this node wherever the job's master runs.
     * The master is a Cluster Singleton (on the oldest member, moving to the next oldest if that
     * one is lost, restarting the job from its latest checkpoint); its attempts place the subtasks
     * on the members that offer slots, waiting (and saying so in the log) while the cluster has too few.
     *
     * @throws IllegalArgumentException if no job is registered under the name here, or the job has no checkpoint directory
     * @throws UncheckedIOException     if the checkpoint directory cannot be created
     */
    public JobHandle submit(String name, JobParameters parameters) {
        JobDefinition definition = definitions.get(name);
        if (definition == null) {
            throw new IllegalArgumentException("No job is registered as '" + name + "' on this node; registered: "
                    + registeredJobs());
        }
        JacksonCompatibility.requireRecordSupport();
        ClusterJob job = definition.define(parameters);
        ExecutionPlan.of(job.graph());
        CheckpointSettings checkpointSettings = job.checkpointSettingsOn(system);
        String jobId = job.graph().name().replaceAll("[^A-Za-z0-9_-]", "_") + "-" + UUID.randomUUID();
        try {
            new FileSystemCheckpointStorage(checkpointSettings.directory().orElseThrow(), jobId);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the checkpoint directory of job '" + name + "' under "
                    + checkpointSettings.directory().get(), e);
        }
        ClusterJobMaster.AnnouncedJob announced = new ClusterJobMaster.AnnouncedJob(jobId, name, parameters);
        announcer.tell(new JobAnnouncer.Announce(List.of(announced)));
        return handle(announced, job.graph().name());
    }

    /**
     * A handle of a job submitted to the cluster from any node, by its id ({@link JobHandle#jobId()}).
     *
     * @throws IllegalArgumentException if this node does not know of such a job
     */
    public JobHandle handle(String jobId) {
        ClusterJobMaster.AnnouncedJob announced = jobs.get(jobId);
        if (announced == null) {
            throw new IllegalArgumentException("This node knows of no job " + jobId + "; it knows " + new TreeSet<>(jobs.keySet()));
        }
        Optional<JobDefinition> definition = definition(announced.jobName());
        String jobName = definition.map(d -> d.define(announced.parameters()).graph().name()).orElse(announced.jobName());
        return handle(announced, jobName);
    }

    private JobHandle handle(ClusterJobMaster.AnnouncedJob announced, String jobName) {
        ActorRef<ClusterJobMaster.Command> master = ClusterJobMaster.init(system, announced, this::definition);
        CompletableFuture<JobOutcome> outcome = new CompletableFuture<>();
        CompletableFuture<Done> terminated = new CompletableFuture<>();
        MetricsRegistry metrics = new MetricsRegistry();
        ActorRef<Object> client = system.systemActorOf(JobClient.create(master, outcome, terminated, metrics),
                "snapflow-job-client-" + announced.jobId() + "-" + UUID.randomUUID(), Props.empty());
        return JobMXBeans.registerIfEnabled(system,
                new JobHandle(system, announced.jobId(), jobName, client.narrow(), outcome, terminated, metrics));
    }
}
