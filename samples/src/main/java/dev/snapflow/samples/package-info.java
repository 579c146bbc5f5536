/**
 * Runnable Snapflow programs: one sub-package per program, one main class each. See
 * {@code samples/README.md} for the catalogue and the exact commands.
 */
package dev.snapflow.samples;
