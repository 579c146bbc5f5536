/**
 * Akka Streams in and out of Snapflow jobs: {@link dev.snapflow.engine.streams.AkkaStreams} makes
 * sources from Akka Streams sources (replayable from a checkpointed position, or at most once) and
 * outputs that hand a job's records to an Akka Streams stream, at least once or exactly once.
 */
package dev.snapflow.engine.streams;
