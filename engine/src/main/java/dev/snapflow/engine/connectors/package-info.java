/**
 * Built-in sources ({@link dev.snapflow.engine.connectors.Sources}: number sequences, generators,
 * collections, lines of a file) and sinks ({@link dev.snapflow.engine.connectors.Sinks}: collect,
 * print, a user function, discard). Public API. Every source is replayable: its readers expose a
 * position and can seek back to it.
 */
package dev.snapflow.engine.connectors;
