/**
 * The interfaces users implement: record functions (map, flatMap, filter, process), key
 * selectors, sources and sinks. Public API.
 *
 * <p>Functions given as plain instances (map, flatMap, filter, key selectors) are shared by all
 * subtasks of their operator and must be stateless. Functions that keep state (process
 * functions, source readers, sink writers) are created once per subtask from a supplier or a
 * factory, and each instance is only ever called from its own subtask, one call at a time.
 */
package dev.snapflow.engine.api;
