/**
 * Buffers: the unit a channel moves. A buffer holds either one serialized event or a batch of
 * length-prefixed serialized records, tagged with a {@link dev.snapflow.serialization.buffer.DataType}
 * whose order is Flink's.
 *
 * <p>Public API. Inside one JVM the runtime may move records as objects; the byte form defined
 * here is what crosses a node or is persisted as in-flight data of an unaligned checkpoint.
 */
package dev.snapflow.serialization.buffer;
