/**
 * Akka serializers for Snapflow's wire types, registered in this module's {@code reference.conf}:
 * {@link dev.snapflow.serialization.akka.SnapflowBinarySerializer} for events and buffers (the hot
 * path), and the {@link dev.snapflow.serialization.akka.CborSerializable} marker that binds
 * control messages to Akka's Jackson CBOR serializer.
 *
 * <p>Public API only in the sense that users may mark their own messages {@code CborSerializable}
 * and configure the event allow-list; the serializer itself is created by Akka.
 */
package dev.snapflow.serialization.akka;
