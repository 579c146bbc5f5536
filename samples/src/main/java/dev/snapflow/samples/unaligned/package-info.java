/** The same backpressured job checkpointed aligned, unaligned and aligned with a timeout, side by side. */
package dev.snapflow.samples.unaligned;
