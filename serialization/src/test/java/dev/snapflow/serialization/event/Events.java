package dev.snapflow.serialization.event;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators for every event kind. */
public final class Events {

    private Events() {
    }

    public static Arbitrary<CheckpointOptions> checkpointOptions() {
        Arbitrary<CheckpointStorageLocationReference> locations = Arbitraries.oneOf(
                Arbitraries.just(CheckpointStorageLocationReference.DEFAULT),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40)
                        .map(CheckpointStorageLocationReference::of));
        Arbitrary<SavepointType> savepoints = Combinators.combine(
                Arbitraries.of(SavepointType.PostAction.class), Arbitraries.of(SavepointFormatType.class))
                .as(SavepointType::new);
        Arbitrary<SnapshotType> checkpointTypes = Arbitraries.of(CheckpointType.class).map(t -> t);
        Arbitrary<Long> timeouts = Arbitraries.oneOf(
                Arbitraries.longs().between(0, Long.MAX_VALUE - 1),
                Arbitraries.just(CheckpointOptions.NO_ALIGNED_CHECKPOINT_TIMEOUT));
        Arbitrary<CheckpointOptions> checkpointOptions = Combinators.combine(
                        checkpointTypes, locations, Arbitraries.of(AlignmentType.class), timeouts)
                .as((type, location, alignment, timeout) ->
                        alignment == AlignmentType.UNALIGNED || alignment == AlignmentType.AT_LEAST_ONCE
                                ? new CheckpointOptions(type, location, alignment, CheckpointOptions.NO_ALIGNED_CHECKPOINT_TIMEOUT)
                                : new CheckpointOptions(type, location, alignment, timeout));
        Arbitrary<CheckpointOptions> savepointOptions = Combinators.combine(
                        savepoints, locations, Arbitraries.of(AlignmentType.ALIGNED, AlignmentType.AT_LEAST_ONCE, AlignmentType.FORCED_ALIGNED))
                .as((type, location, alignment) ->
                        new CheckpointOptions(type, location, alignment, CheckpointOptions.NO_ALIGNED_CHECKPOINT_TIMEOUT));
        return Arbitraries.oneOf(checkpointOptions, savepointOptions);
    }

    public static Arbitrary<CheckpointBarrier> barriers() {
        return Combinators.combine(Arbitraries.longs().greaterOrEqual(0), Arbitraries.longs(), checkpointOptions())
                .as(CheckpointBarrier::new);
    }

    /** Every event kind except announcements. */
    public static Arbitrary<Event> plainEvents() {
        Arbitrary<Integer> indexes = Arbitraries.integers().greaterOrEqual(0);
        return Arbitraries.oneOf(
                Arbitraries.of(EndOfPartitionEvent.INSTANCE, EndOfSuperstepEvent.INSTANCE,
                        EndOfChannelStateEvent.INSTANCE, EndOfSegmentEvent.INSTANCE),
                barriers(),
                Arbitraries.longs().greaterOrEqual(0).map(CancelCheckpointMarker::new),
                Combinators.combine(indexes, indexes).as(SubtaskConnectionDescriptor::new),
                Arbitraries.of(StopMode.class).map(EndOfData::new),
                indexes.map(RecoveryMetadata::new),
                indexes.map(ChannelUnavailableEvent::new),
                Arbitraries.strings().ofMaxLength(100).map(TestUserEvents.Greeting::new));
    }

    /** Every event kind, announcements of any other event included. */
    public static Arbitrary<Event> events() {
        Arbitrary<Event> announcements = Combinators.combine(plainEvents(), Arbitraries.integers())
                .as(EventAnnouncement::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, plainEvents()),
                net.jqwik.api.Tuple.of(2, announcements));
    }
}
