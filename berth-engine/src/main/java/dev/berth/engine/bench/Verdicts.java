package dev.berth.engine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The one-line verdict of a row: the numbers that decide between kinds, in words. */
final class Verdicts {
  private Verdicts() {}

  static String of(KindResult r) {
    if (r.status().equals("skipped")) {
      return "skipped: " + r.reason();
    }
    List<String> parts = new ArrayList<>();
    r.figure("start.firstOutput.median").ifPresent(f -> parts.add("starts in " + duration(f.value())
        + r.figure("start.firstOutput.p90").map(p -> " (p90 " + duration(p.value()) + ")").orElse("")));
    r.figure("start.login.median").ifPresent(f -> parts.add("login prompt after " + duration(f.value())));
    r.figure("memory.pss").ifPresent(f -> parts.add(mib(f.value()) + " per idle instance"));
    r.figure("density.instances").ifPresent(f -> parts.add((int) f.value() + " fit the density budget"));
    r.figure("cpu.hash.ratio").ifPresent(f -> parts.add("CPU " + ratio(f.value()) + " the host"));
    r.figure("io.writeRead.ratio").ifPresent(f -> parts.add("I/O " + ratio(f.value())));
    IsolationFacts i = r.isolation();
    if (i != null) {
      parts.add((i.ownKernel() ? "own kernel " : "shares the host's kernel ") + i.kernel());
      if (i.accelerator().equals("tcg")) {
        parts.add("emulated (TCG): slow here, far faster with KVM");
      }
    }
    if (parts.isEmpty()) {
      return r.status() + ": " + (r.notes().isEmpty() ? "nothing measured" : r.notes().getFirst());
    }
    String line = String.join("; ", parts);
    return r.status().equals("partial") ? line + " (partial: " + r.notes().size() + " note(s) on what was not measured)"
        : line;
  }

  static String duration(double ms) {
    return ms >= 1000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000) : String.format(Locale.ROOT, "%.0f ms", ms);
  }

  static String mib(double mib) {
    return String.format(Locale.ROOT, mib >= 10 ? "%.0f MiB" : "%.1f MiB", mib);
  }

  static String ratio(double x) {
    return String.format(Locale.ROOT, "%.2f×", x);
  }
}
