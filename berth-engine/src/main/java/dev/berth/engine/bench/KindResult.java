package dev.berth.engine.bench;

import java.util.List;

/**
 * One row of a bench: one kind of isolation.
 *
 * @param kind {@code container}, {@code microvm}, {@code vm}, {@code docker} or {@code podman}
 * @param label the row's name for people
 * @param status {@code measured}, {@code partial} (some measurements failed: see notes),
 *     {@code skipped} (not available here: see reason) or {@code failed}
 * @param reason why it was skipped or failed; empty when measured
 * @param figures the numbers, each with its method
 * @param isolation facts read from a running instance; null when none ran
 * @param notes measurements that failed or were left out, with why
 * @param verdict one line summing the row up
 */
public record KindResult(String kind, String label, String status, String reason, List<Figure> figures,
    IsolationFacts isolation, List<String> notes, String verdict) {
  public KindResult {
    figures = figures == null ? List.of() : List.copyOf(figures);
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  public static KindResult skipped(String kind, String label, String reason) {
    return new KindResult(kind, label, "skipped", reason, List.of(), null, List.of(), "skipped: " + reason);
  }

  public java.util.Optional<Figure> figure(String key) {
    return figures.stream().filter(f -> f.key().equals(key)).findFirst();
  }
}
