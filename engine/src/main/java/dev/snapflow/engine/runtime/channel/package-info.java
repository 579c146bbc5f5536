/**
 * Channels: the link between one producer subtask and one consumer subtask. The
 * {@link dev.snapflow.engine.runtime.channel.ChannelActor} shell holds a bounded
 * {@link dev.snapflow.engine.runtime.channel.ChannelQueue} and delivers against the consumer's
 * credits; {@link dev.snapflow.engine.runtime.channel.ChannelProtocol} is spoken by channels and
 * subtasks. Rules C1–C8 in {@code protocols.md} define the protocol.
 *
 * <p>Internal. {@code ChannelQueue}, {@code ChannelItem} and {@code RecordBatch} are pure Java.
 */
package dev.snapflow.engine.runtime.channel;
