/**
 * Runtime events that travel through channels beside the data, and their wire codec
 * {@link dev.snapflow.serialization.event.EventSerializer}.
 *
 * <p>Public API: the engine, user code and tools use these types. Every built-in event is an
 * immutable record or enum; user events extend {@link dev.snapflow.serialization.event.UserEvent}
 * and are decoded only when their class is on an {@link dev.snapflow.serialization.event.EventAllowList}.
 * Where Apache Flink 1.20 has the same event, the bytes are Flink's (see {@code wire-format.md}).
 */
package dev.snapflow.serialization.event;
