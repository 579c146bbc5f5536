/**
 * Testing user functions without a job: {@link dev.snapflow.engine.testing.FunctionTestHarness}
 * drives one subtask of a process function synchronously (elements in, output and state out,
 * snapshots and restores), and {@link dev.snapflow.engine.testing.JobTestKit} runs whole jobs in
 * an Akka {@code ActorTestKit}.
 */
package dev.snapflow.engine.testing;
