/**
 * Record serializers: how user records become the bytes inside a data buffer. Built-ins cover
 * {@code long}, {@code int}, {@code double}, {@code String}, {@code byte[]} and tuples of these;
 * any other type goes through Akka's Jackson CBOR object mapper. {@code ValueCodec} writes values
 * of any type with their type (keys in state snapshots, records in in-flight data), so that they
 * read back equal.
 *
 * <p>Public API: users pass serializers to the engine and may write their own.
 */
package dev.snapflow.serialization.record;
