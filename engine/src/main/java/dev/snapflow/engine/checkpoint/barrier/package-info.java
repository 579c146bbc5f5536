/**
 * The barrier handlers: pure state machines that decide, for each barrier, cancellation marker
 * and end of partition a subtask's input gate receives, which channels to block or resume and
 * when to trigger or abort a checkpoint. They return their decisions as
 * {@link dev.snapflow.engine.checkpoint.barrier.BarrierAction}s.
 *
 * <p>Internal and pure: no Akka imports (a test enforces it); time comes from injected clocks.
 * Rules B1–B8 in {@code protocols.md}.
 */
package dev.snapflow.engine.checkpoint.barrier;
