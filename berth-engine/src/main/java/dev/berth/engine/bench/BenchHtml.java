package dev.berth.engine.bench;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A bench report as one self-contained HTML page: inline CSS and SVG, no script, no link to
 * anything outside it, written as well-formed XML too (polyglot HTML), so tools and tests can parse it. The measured figures stand beside the claims people usually repeat; every
 * figure carries its method. The CLI's --html and the console show this same page.
 */
public final class BenchHtml {
  private BenchHtml() {}

  /** A claim and the figure that tests it. */
  record Claim(String text, String key, String reading) {}

  static final List<Claim> CLAIMS = List.of(
      new Claim("Containers start in milliseconds, VMs in seconds or minutes.", "start.firstOutput.median",
          "create to first output, median"),
      new Claim("A full VM takes minutes to boot to a login prompt.", "start.login.median",
          "create to a login prompt on the serial console, median (full VM)"),
      new Claim("VMs cost hundreds of MB of memory each; containers almost nothing.", "memory.pss",
          "host memory (PSS) of one idle instance"),
      new Claim("A host fits many more containers than VMs.", "density.instances",
          "idle instances started within the same memory and time budget"),
      new Claim("Containers run CPU work at native speed; VMs add overhead.", "cpu.hash.ratio",
          "sha256sum time, inside / on the host"),
      new Claim("VM disk I/O is slower than a container's.", "io.writeRead.ratio",
          "write+fsync+read time, inside / on the host"),
      new Claim("System calls cost more in a VM.", "cpu.syscalls.ratio", "1-byte dd loop time, inside / on the host"),
      new Claim("VM networking is slower than container networking.", "net.instanceToInstance",
          "throughput from one instance to another"),
      new Claim("Published ports cost throughput.", "net.hostToInstance", "throughput host → instance via a published port"));

  public static String render(BenchReport r) {
    StringBuilder h = new StringBuilder(32_768);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        .append("<title>Berth bench ").append(esc(r.id())).append("</title>\n<style>\n").append(CSS).append("</style>\n")
        .append("</head>\n<body>\n<h1>Containers and VMs, measured on this machine</h1>\n");
    BenchReport.Host host = r.host();
    h.append("<p class=\"meta\">Bench <code>").append(esc(r.id())).append("</code>, ").append(esc(r.created()))
        .append(", ").append(fmt(r.durationSeconds())).append(" s").append(r.options().quick() ? " (--quick)" : "")
        .append(". Host: kernel ").append(esc(host.kernel())).append(", ").append(host.cpus()).append(" CPUs, ")
        .append(fmt(host.memoryBytes() / 1073741824.0)).append(" GiB, load ").append(fmt(host.loadAverage()))
        .append(" at the start. Image <code>").append(esc(r.options().image())).append("</code>. Berth ")
        .append(esc(host.berthVersion())).append(".</p>\n");

    h.append("<h2>The usual claims beside the measured figures</h2>\n<table class=\"claims\">\n<tr><th>claim</th>");
    List<KindResult> rows = r.kinds().stream().filter(k -> !k.figures().isEmpty()).toList();
    for (KindResult k : rows) {
      h.append("<th>").append(esc(k.label())).append("</th>");
    }
    h.append("</tr>\n");
    for (Claim c : CLAIMS) {
      h.append("<tr><td>").append(esc(c.text())).append("<br/><small>measured: ").append(esc(c.reading()))
          .append("</small></td>");
      for (KindResult k : rows) {
        Optional<Figure> f = k.figure(c.key());
        h.append("<td class=\"num\">").append(f.map(BenchHtml::valueWithUnit).map(BenchHtml::esc).orElse("—"))
            .append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("<tr><td>Containers share the host's kernel; VMs boot their own.</td>");
    for (KindResult k : rows) {
      IsolationFacts i = k.isolation();
      h.append("<td>").append(i == null ? "—" : esc((i.ownKernel() ? "own kernel " : "host's kernel ") + i.kernel()))
          .append("</td>");
    }
    h.append("</tr>\n</table>\n");

    h.append("<h2>Charts</h2>\n<div class=\"charts\">\n");
    for (Claim c : CLAIMS) {
      chart(h, c, rows);
    }
    h.append("</div>\n");

    h.append("<h2>Every figure and how it was measured</h2>\n");
    for (KindResult k : r.kinds()) {
      h.append("<h3>").append(esc(k.label())).append(" <small>(").append(esc(k.kind())).append(", ")
          .append(esc(k.status())).append(")</small></h3>\n<p class=\"verdict\">").append(esc(k.verdict()))
          .append("</p>\n");
      if (!k.figures().isEmpty()) {
        h.append("<table class=\"figures\">\n<tr><th>figure</th><th>value</th><th>samples</th><th>method</th></tr>\n");
        for (Figure f : k.figures()) {
          h.append("<tr><td><code>").append(esc(f.key())).append("</code><br/>").append(esc(f.label()))
              .append("</td><td class=\"num\">").append(esc(valueWithUnit(f))).append("</td><td class=\"num\">")
              .append(f.samples()).append("</td><td class=\"method\">").append(esc(f.method())).append("</td></tr>\n");
        }
        h.append("</table>\n");
      }
      if (k.isolation() != null) {
        facts(h, k.isolation());
      }
      if (!k.notes().isEmpty()) {
        h.append("<ul class=\"notes\">\n");
        k.notes().forEach(n -> h.append("<li>").append(esc(n)).append("</li>\n"));
        h.append("</ul>\n");
      }
    }
    h.append("<p class=\"meta\">Numbers from one machine at one moment: compare rows of the same report, and rerun"
        + " without --quick for more samples. The schema of the JSON form is in Berth's docs/bench.md.</p>\n");
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static void facts(StringBuilder h, IsolationFacts i) {
    h.append("<table class=\"facts\">\n");
    fact(h, "kernel", i.kernel() + (i.ownKernel() ? " (its own)" : " (the host's)"));
    fact(h, "seccomp (/proc/self/status)", i.seccomp() + switch (i.seccomp()) {
      case 0 -> " (off)";
      case 1 -> " (strict)";
      case 2 -> " (filter)";
      default -> "";
    } + ", NoNewPrivs " + i.noNewPrivs());
    fact(h, "capabilities", "CapEff " + i.capEff() + " (" + i.capEffCount() + " capabilities), CapBnd " + i.capBnd());
    fact(h, "user namespace (uid_map)", i.uidMap() + (i.userNamespace() ? " (root inside is not root outside)"
        : " (no user namespace: root inside is root on the kernel it runs on)"));
    fact(h, "/proc/kallsyms", i.kallsymsLines() + " lines readable, " + i.kallsymsAddresses() + " with a real address");
    fact(h, "/proc/sys writable", i.procSysWritable() ? "yes" : "no");
    fact(h, "/sys writable", i.sysWritable() ? "yes" : "no");
    fact(h, "accelerator", i.accelerator() + ": " + i.acceleratorMeaning());
    h.append("</table>\n");
  }

  private static void fact(StringBuilder h, String name, String value) {
    h.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
  }

  /** A horizontal bar chart of one figure across the rows (inline SVG). */
  private static void chart(StringBuilder h, Claim c, List<KindResult> rows) {
    List<KindResult> with = rows.stream().filter(k -> k.figure(c.key()).isPresent()).toList();
    if (with.isEmpty()) {
      return;
    }
    double max = with.stream().mapToDouble(k -> k.figure(c.key()).orElseThrow().value()).max().orElse(1);
    int barArea = 300;
    int rowH = 26;
    int height = 34 + rowH * with.size();
    h.append("<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"520\" height=\"").append(height)
        .append("\" role=\"img\" aria-label=\"").append(esc(c.reading())).append("\">\n<text x=\"0\" y=\"16\" class=\"t\">")
        .append(esc(c.reading())).append("</text>\n");
    int y = 30;
    for (KindResult k : with) {
      Figure f = k.figure(c.key()).orElseThrow();
      double w = max > 0 ? Math.max(2, f.value() / max * barArea) : 2;
      h.append("<text x=\"0\" y=\"").append(y + 15).append("\">").append(esc(k.kind())).append("</text>")
          .append("<rect x=\"110\" y=\"").append(y + 3).append("\" width=\"").append(fmt(w)).append("\" height=\"16\" class=\"")
          .append(esc(k.kind())).append("\"><title>").append(esc(f.method())).append("</title></rect>")
          .append("<text x=\"").append(fmt(116 + w)).append("\" y=\"").append(y + 15).append("\">")
          .append(esc(valueWithUnit(f))).append("</text>\n");
      y += rowH;
    }
    h.append("</svg></figure>\n");
  }

  /** How a figure's value is written in the page and the terminal table. */
  public static String value(Figure f) {
    return f.unit().equals("instances") ? Long.toString(Math.round(f.value())) : fmt(f.value());
  }

  static String valueWithUnit(Figure f) {
    return value(f) + (f.unit().equals("x") ? "×" : " " + f.unit());
  }

  static String fmt(double d) {
    double a = Math.abs(d);
    return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", d);
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }

  private static final String CSS = """
      body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; color: #222; }
      h1 { font-size: 1.6em; } h2 { margin-top: 2em; } h3 small { color: #666; font-weight: normal; }
      table { border-collapse: collapse; margin: .5em 0 1em; }
      th, td { border: 1px solid #ccc; padding: .3em .6em; vertical-align: top; text-align: left; }
      td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
      td.method { font-size: .85em; color: #444; max-width: 40em; }
      .meta { color: #555; } .verdict { font-weight: 600; } .notes { color: #8a4b00; }
      .charts { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; }
      svg text { font: 12px system-ui, sans-serif; fill: #222; } svg text.t { font-weight: 600; }
      rect { fill: #4a78b5; } rect.microvm { fill: #c0504d; } rect.vm { fill: #8064a2; }
      rect.docker { fill: #4bacc6; } rect.podman { fill: #9bbb59; }
      """;
}
