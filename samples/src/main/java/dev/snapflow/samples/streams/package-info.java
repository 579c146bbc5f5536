/**
 * Akka Streams in and out: orders read from files by Akka Streams' {@code FileIO}, totalled per
 * customer in a checkpointed job, released exactly once into an Akka Streams {@code FileIO} sink.
 */
package dev.snapflow.samples.streams;
