/** The main sample: a printed tour of every event kind and a record buffer on the wire. */
package dev.snapflow.samples.wireformat;
