/**
 * Snapflow's wire formats: runtime events ({@link dev.snapflow.serialization.event}), buffers of
 * records or one event ({@link dev.snapflow.serialization.buffer}), record serializers
 * ({@link dev.snapflow.serialization.record}) and the Akka serializers that carry them across
 * nodes ({@link dev.snapflow.serialization.akka}).
 *
 * <p>The engine depends on this module; this module depends on nothing of the engine. Event and
 * buffer bytes follow Apache Flink 1.20 where Flink has the same concept, so that a reader of
 * Flink's sources recognises every byte.
 */
package dev.snapflow.serialization;
