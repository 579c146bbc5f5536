/**
 * The consumer side of channels: {@link dev.snapflow.engine.runtime.gate.InputGate} merges the
 * items its channels deliver, fairly and in per-channel order, and
 * {@link dev.snapflow.engine.runtime.gate.CreditBalance} decides which credits to grant back.
 *
 * <p>Internal and pure: no Akka imports (a test enforces it). Actor-confined to one subtask.
 */
package dev.snapflow.engine.runtime.gate;
