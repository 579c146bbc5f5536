/**
 * Settings read from {@code reference.conf} / {@code application.conf} under {@code snapflow}.
 * Public API: each area has one immutable, validated Settings class with {@code create(system)},
 * {@code create(config)} and {@code withX} copies. Only these classes read configuration.
 */
package dev.snapflow.engine.config;
