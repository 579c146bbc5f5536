/** Benchmarks, runnable with the exec plugin; each prints its parameters and RESULT lines. */
package dev.snapflow.samples.bench;
