package dev.berth.engine.bench;

/**
 * One measured number of a bench row.
 *
 * @param key a stable name (docs/bench.md lists them), e.g. {@code start.firstOutput.median}
 * @param label what it is, in words
 * @param value the number, in {@code unit}
 * @param unit {@code ms}, {@code MiB}, {@code MiB/s}, {@code instances} or {@code x} (a ratio)
 * @param method how it was measured, in words a user can repeat
 * @param samples how many measurements the value summarizes
 */
public record Figure(String key, String label, double value, String unit, String method, int samples) {}
