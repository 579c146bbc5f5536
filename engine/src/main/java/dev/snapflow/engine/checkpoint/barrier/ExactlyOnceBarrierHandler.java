package dev.snapflow.engine.checkpoint.barrier;

import dev.snapflow.engine.checkpoint.CheckpointFailureReason;
import dev.snapflow.serialization.event.CheckpointBarrier;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Exactly-once barrier handling (Flink's {@code SingleCheckpointBarrierHandler}, aligned or
 * alternating). For an aligned barrier, a channel that delivered the barrier of checkpoint n is
 * blocked until every open channel has delivered it; then the checkpoint triggers and all channels
 * resume. For an unaligned barrier, the checkpoint triggers on the first barrier, nothing blocks,
 * and the data still in front of the barrier on the other channels is persisted as in-flight input
 * until each channel's barrier arrives.
 *
 * <p>Flink models this with state classes (WaitingForFirstBarrier, CollectingBarriers and their
 * unaligned twins) whose differences are whether a checkpoint is pending and whether it went
 * unaligned; here those are {@link #isPending()} over the two ids below and {@link #pendingUnaligned},
 * which keeps the rules in one readable place.
 *
 * <p>Rules (B-rules in {@code protocols.md}):
 * <ul>
 *   <li>B1: a barrier of a newer checkpoint starts it: its channel blocks, unless it completes the alignment;</li>
 *   <li>B2: when every open channel delivered it, the checkpoint triggers and every channel resumes;</li>
 *   <li>B3: a barrier of an older, completed or aborted checkpoint is ignored;</li>
 *   <li>B4: a newer barrier during an alignment aborts the pending checkpoint (declined, subsumed);</li>
 *   <li>B5: a cancellation marker aborts its checkpoint if it is newer, or current with a barrier seen;</li>
 *   <li>B6: an ended channel counts as aligned (or, with checkpoints after the end of an input
 *   disabled, aborts the pending checkpoint), and later checkpoints wait for fewer channels;</li>
 *   <li>B9: the first barrier of an unaligned checkpoint triggers it at once, with no channel
 *   blocked; the input still in front of the barrier on every channel is persisted until that
 *   channel's barrier arrives or it ends, and then the checkpoint's in-flight input is complete;</li>
 *   <li>B10: an aligned checkpoint with a timeout aligns as usual, but once the timeout has passed
 *   since the coordinator triggered it (checked when a barrier or end of partition arrives, and by
 *   a timer), or when a barrier of it arrives unaligned (it overtook data upstream), it switches to
 *   unaligned: it triggers, every channel resumes, and it goes on as B9.</li>
 * </ul>
 * Actor-confined.
 */
public final class ExactlyOnceBarrierHandler implements CheckpointBarrierHandler {

    private final boolean checkpointsAfterInputsEnd;
    private final LongSupplier nanoClock;
    private final LongSupplier wallClockMillis;

    /** The newest checkpoint id seen in a barrier or marker; -1 before any. */
    private long currentCheckpointId = -1;
    /** The newest checkpoint that triggered or was aborted here; -1 before any. */
    private long lastCancelledOrCompletedId = -1;
    /** The first barrier of the pending checkpoint; meaningful only while one is pending. */
    private CheckpointBarrier pendingBarrier;
    /** Channels that delivered the pending checkpoint's barrier or ended during its alignment. */
    private final BitSet aligned = new BitSet();
    /** The open channels when the pending checkpoint started: how many must align. */
    private int targetChannelCount;
    private int openChannels;
    /** The channels that have not ended. */
    private final BitSet openChannelMask = new BitSet();
    private final BitSet blocked = new BitSet();
    /** The pending checkpoint triggered unaligned and is collecting its remaining barriers. */
    private boolean pendingUnaligned;
    private long alignmentStartNanos;
    private long startDelayMillis;
    private List<BarrierAction> actions;
    /**
     * Barriers of aligned checkpoints that may turn unaligned whose timers are scheduled, by id, until
     * the timer fires: one timer per checkpoint, and the barrier to start it with if it fires first.
     */
    private final Map<Long, CheckpointBarrier> scheduledTimeouts = new HashMap<>();

    /**
     * @param checkpointsAfterInputsEnd true (Flink's default since 1.15): an ended channel counts as
     *                                  aligned; false: it aborts the pending checkpoint
     */
    public ExactlyOnceBarrierHandler(int channels, boolean checkpointsAfterInputsEnd, LongSupplier nanoClock,
                                 LongSupplier wallClockMillis) {
        if (channels < 1) {
            throw new IllegalArgumentException("A handler needs at least one channel, had " + channels);
        }
        this.openChannels = channels;
        this.openChannelMask.set(0, channels);
        this.checkpointsAfterInputsEnd = checkpointsAfterInputsEnd;
        this.nanoClock = nanoClock;
        this.wallClockMillis = wallClockMillis;
    }

    /** True while a checkpoint has started here and neither triggered nor aborted. */
    boolean isPending() {
        return currentCheckpointId >= 0 && currentCheckpointId != lastCancelledOrCompletedId;
    }

    @Override
    public List<BarrierAction> onBarrier(int channel, CheckpointBarrier barrier) {
        actions = new ArrayList<>(2);
        long id = barrier.id();
        if (id < currentCheckpointId || (id == currentCheckpointId && !isPending())) {
            return actions; // Rule B3
        }
        if (id > currentCheckpointId) {
            if (isPending()) {
                abortPending(CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED); // Rule B4
            }
            start(barrier);
        }
        if (aligned.get(channel)) {
            return actions;
        }
        boolean overtook = barrier.options().isUnaligned();
        if (!pendingUnaligned && (overtook || isTimedOut(pendingBarrier))) {
            switchToUnaligned(overtook ? channel : -1, overtook ? -1 : channel); // Rules B9, B10
        }
        markAligned(channel);
        if (pendingUnaligned) {
            onUnalignedBarrier(channel);
        } else if (aligned.cardinality() == targetChannelCount) {
            triggerPending(); // Rule B2
        } else {
            blocked.set(channel); // Rule B1
            actions.add(new BarrierAction.BlockChannel(channel));
        }
        return actions;
    }

    @Override
    public List<BarrierAction> onCancellationMarker(int channel, long checkpointId) {
        actions = new ArrayList<>(2);
        if (checkpointId > currentCheckpointId) {
            // Rule B5: a marker for a future checkpoint aborts it before any of its barriers; an
            // older pending alignment is dropped silently, as in Flink.
            if (pendingUnaligned && isPending()) {
                // Already triggered and recording in-flight data: it must be given up explicitly.
                actions.add(new BarrierAction.AbortCheckpoint(currentCheckpointId, CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED));
            }
            resumeAll();
            aligned.clear();
            pendingUnaligned = false;
            currentCheckpointId = checkpointId;
            lastCancelledOrCompletedId = checkpointId;
            actions.add(new BarrierAction.AbortCheckpoint(checkpointId, CheckpointFailureReason.CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER));
        } else if (checkpointId == currentCheckpointId && isPending()) {
            abortPending(CheckpointFailureReason.CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER);
        }
        return actions;
    }

    @Override
    public List<BarrierAction> onCheckpointAborted(long checkpointId) {
        actions = new ArrayList<>(1);
        if (checkpointId == currentCheckpointId && isPending()) {
            abortPending(CheckpointFailureReason.CHECKPOINT_ABORTED_BY_COORDINATOR);
        } else if (checkpointId > currentCheckpointId && !isPending()) {
            // Rule B11: its barriers, when they come, are those of a cancelled checkpoint (B3).
            currentCheckpointId = checkpointId;
            lastCancelledOrCompletedId = checkpointId;
            actions.add(new BarrierAction.AbortCheckpoint(checkpointId, CheckpointFailureReason.CHECKPOINT_ABORTED_BY_COORDINATOR));
        }
        return actions;
    }

    @Override
    public List<BarrierAction> onEndOfPartition(int channel) {
        actions = new ArrayList<>(2);
        openChannels--;
        openChannelMask.clear(channel);
        if (!isPending()) {
            return actions;
        }
        if (!checkpointsAfterInputsEnd) {
            abortPending(CheckpointFailureReason.CHECKPOINT_DECLINED_INPUT_END_OF_STREAM); // Rule B6
            return actions;
        }
        if (!aligned.get(channel)) {
            if (!pendingUnaligned && isTimedOut(pendingBarrier)) {
                switchToUnaligned(-1, channel); // Rule B10
            }
            markAligned(channel); // Rule B6: an ended channel counts as aligned
            if (pendingUnaligned) {
                onUnalignedBarrier(channel);
            } else if (aligned.cardinality() == targetChannelCount) {
                triggerPending();
            }
        }
        return actions;
    }

    @Override
    public List<BarrierAction> onBarrierAnnounced(int channel, CheckpointBarrier barrier) {
        actions = new ArrayList<>(1);
        if (barrier.id() > lastCancelledOrCompletedId) {
            scheduleTimeout(barrier);
        }
        return actions;
    }

    /**
     * The timer of an aligned checkpoint that may turn unaligned fired (Rule B10): if it is still
     * aligning, it switches to unaligned now.
     */
    @Override
    public List<BarrierAction> onAlignmentTimeout(long checkpointId) {
        actions = new ArrayList<>(4);
        CheckpointBarrier barrier = scheduledTimeouts.get(checkpointId);
        if (barrier == null) {
            return actions;
        }
        onTimeout(barrier);
        scheduledTimeouts.remove(checkpointId); // only now: starting the checkpoint must not schedule it again
        return actions;
    }

    private void onTimeout(CheckpointBarrier barrier) {
        long checkpointId = barrier.id();
        if (checkpointId > currentCheckpointId) {
            // Its barrier was announced but none reached this handler yet: the checkpoint starts
            // here, already unaligned, and the queued barriers are taken out of their queues.
            if (isPending()) {
                abortPending(CheckpointFailureReason.CHECKPOINT_DECLINED_SUBSUMED);
            }
            start(barrier);
            switchToUnaligned(-1, -1);
        } else if (checkpointId == currentCheckpointId && isPending() && !pendingUnaligned) {
            switchToUnaligned(-1, -1);
            if (aligned.cardinality() == targetChannelCount) {
                completeUnaligned();
            }
        }
    }

    private void scheduleTimeout(CheckpointBarrier barrier) {
        if (barrier.options().isTimeoutable() && scheduledTimeouts.putIfAbsent(barrier.id(), barrier) == null) {
            long elapsed = wallClockMillis.getAsLong() - barrier.timestamp();
            actions.add(new BarrierAction.ScheduleAlignmentTimeout(barrier,
                    Math.max(0, barrier.options().alignedCheckpointTimeout() - elapsed)));
        }
    }

    /**
     * The pending checkpoint goes unaligned: it triggers now with unaligned options, every blocked
     * channel resumes, and the input in front of the barrier on the channels that have not
     * delivered it (and on {@code overtakingChannel}, whose barrier overtook its queued input) is
     * persisted, as is what arrives on the former until their barriers come.
     *
     * @param overtakingChannel the channel whose priority barrier causes the switch, or -1
     * @param inOrderChannel    the channel whose barrier (or end) arrived behind its data and causes
     *                          the switch, or -1: what it queued after that is not in flight
     */
    private void switchToUnaligned(int overtakingChannel, int inOrderChannel) {
        pendingUnaligned = true;
        CheckpointBarrier unaligned = pendingBarrier.options().isUnaligned() ? pendingBarrier
                : new CheckpointBarrier(pendingBarrier.id(), pendingBarrier.timestamp(), pendingBarrier.options().toUnaligned());
        long alignment = aligned.isEmpty() ? 0 : nanoClock.getAsLong() - alignmentStartNanos;
        if (aligned.isEmpty()) {
            startDelayMillis = Math.max(0, wallClockMillis.getAsLong() - pendingBarrier.timestamp());
        }
        actions.add(new BarrierAction.TriggerCheckpoint(unaligned, alignment, startDelayMillis));
        List<Integer> notAligned = new ArrayList<>();
        for (int other = openChannelMask.nextSetBit(0); other >= 0; other = openChannelMask.nextSetBit(other + 1)) {
            if (!aligned.get(other) && other != overtakingChannel && other != inOrderChannel) {
                notAligned.add(other);
            }
        }
        List<Integer> queued = new ArrayList<>(notAligned);
        if (overtakingChannel >= 0) {
            queued.add(overtakingChannel);
        }
        actions.add(new BarrierAction.PersistInFlightInput(currentCheckpointId, queued, notAligned));
        resumeAll();
    }

    @Override
    public List<BarrierAction> onEndOfPartitionAhead(int channel) {
        actions = new ArrayList<>(2);
        if (pendingUnaligned && isPending() && !aligned.get(channel)) {
            if (!checkpointsAfterInputsEnd) {
                abortPending(CheckpointFailureReason.CHECKPOINT_DECLINED_INPUT_END_OF_STREAM); // Rule B6
                return actions;
            }
            // Rule B9: it ends without a barrier; its data in front of the end is in flight.
            markAligned(channel);
            onUnalignedBarrier(channel);
        }
        return actions;
    }

    /** The pending checkpoint is unaligned and {@code channel} just delivered its barrier or ended. */
    private void onUnalignedBarrier(int channel) {
        actions.add(new BarrierAction.StopPersistingInput(channel));
        if (aligned.cardinality() == targetChannelCount) {
            completeUnaligned();
        }
    }

    private void completeUnaligned() {
        lastCancelledOrCompletedId = currentCheckpointId;
        aligned.clear();
        pendingUnaligned = false;
        actions.add(new BarrierAction.InFlightInputComplete(currentCheckpointId));
    }

    /**
     * Rule B10's passive check: an aligned checkpoint that may turn unaligned has been aligning
     * longer than its timeout, measured from the coordinator's trigger time as in Flink.
     */
    private boolean isTimedOut(CheckpointBarrier barrier) {
        return barrier != null && barrier.options().isTimeoutable()
                && wallClockMillis.getAsLong() - barrier.timestamp() > barrier.options().alignedCheckpointTimeout();
    }

    @Override
    public Set<Integer> blockedChannels() {
        return blocked.stream().boxed().collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    private void start(CheckpointBarrier barrier) {
        currentCheckpointId = barrier.id();
        pendingBarrier = barrier;
        aligned.clear();
        targetChannelCount = openChannels;
        scheduleTimeout(barrier);
    }

    private void markAligned(int channel) {
        if (aligned.isEmpty()) {
            alignmentStartNanos = nanoClock.getAsLong();
            startDelayMillis = Math.max(0, wallClockMillis.getAsLong() - pendingBarrier.timestamp());
        }
        aligned.set(channel);
    }

    private void triggerPending() {
        long alignment = nanoClock.getAsLong() - alignmentStartNanos;
        lastCancelledOrCompletedId = currentCheckpointId;
        aligned.clear();
        actions.add(new BarrierAction.TriggerCheckpoint(pendingBarrier, alignment, startDelayMillis));
        resumeAll();
    }

    private void abortPending(CheckpointFailureReason reason) {
        pendingUnaligned = false;
        lastCancelledOrCompletedId = currentCheckpointId;
        aligned.clear();
        actions.add(new BarrierAction.AbortCheckpoint(currentCheckpointId, reason));
        resumeAll();
    }

    private void resumeAll() {
        for (int channel = blocked.nextSetBit(0); channel >= 0; channel = blocked.nextSetBit(channel + 1)) {
            actions.add(new BarrierAction.ResumeChannel(channel));
        }
        blocked.clear();
    }
}
