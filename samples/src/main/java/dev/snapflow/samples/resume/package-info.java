/** A job checkpointed, stopped half-way and resumed from its checkpoint, with counts checked. */
package dev.snapflow.samples.resume;
