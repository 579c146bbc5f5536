package dev.snapflow.serialization.akka;

/**
 * Marks a message that crosses nodes as CBOR through Akka's Jackson serializer (bound in
 * {@code reference.conf}). Records work out of the box: the build compiles with
 * {@code -parameters} and imports a Jackson that reads records back.
 */
public interface CborSerializable {
}
