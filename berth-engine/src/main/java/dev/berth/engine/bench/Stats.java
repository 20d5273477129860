package dev.berth.engine.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The two summaries a bench reports over N samples. Median: the middle sample, or the mean of
 * the two middle ones. p90: nearest rank (the smallest sample with at least 90% of the samples at
 * or below it), so it is always a measured value, never an interpolation.
 */
public final class Stats {
  private Stats() {}

  public static double median(List<Double> samples) {
    double[] s = sorted(samples);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  public static double p90(List<Double> samples) {
    return percentile(samples, 90);
  }

  /** Nearest-rank percentile, {@code 0 < p <= 100}. */
  public static double percentile(List<Double> samples, int p) {
    if (p <= 0 || p > 100) {
      throw new IllegalArgumentException("percentile " + p + " is outside 1..100");
    }
    double[] s = sorted(samples);
    int rank = (int) Math.ceil(p / 100.0 * s.length);
    return s[Math.max(rank, 1) - 1];
  }

  private static double[] sorted(List<Double> samples) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    double[] s = samples.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(s);
    return s;
  }
}
