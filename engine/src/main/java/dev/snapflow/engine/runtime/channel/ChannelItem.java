package dev.snapflow.engine.runtime.channel;

/** What travels through a channel: a batch of records or one event. */
public sealed interface ChannelItem permits RecordBatch, EventItem {

    /** True for record batches: the items that need credit and occupy channel capacity. */
    boolean isData();
}
