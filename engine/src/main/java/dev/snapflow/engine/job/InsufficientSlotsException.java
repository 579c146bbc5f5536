package dev.snapflow.engine.job;

/**
 * A job on a cluster needed more free task slots than the cluster offered for longer than it was
 * willing to wait ({@code ClusterJob.withSlotWaitTimeout}). The job fails without a restart: a
 * restart would only wait again.
 */
public final class InsufficientSlotsException extends IllegalStateException {

    public InsufficientSlotsException(String message) {
        super(message);
    }
}
