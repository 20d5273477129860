package dev.berth.engine.bench;

/**
 * One progress line of a running bench.
 *
 * @param step the step starting now, 1-based
 * @param total the steps of the whole run
 * @param kind the row being measured
 * @param message what the step does
 */
public record BenchProgress(int step, int total, String kind, String message) {}
