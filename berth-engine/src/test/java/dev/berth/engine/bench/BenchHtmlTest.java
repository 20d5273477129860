package dev.berth.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class BenchHtmlTest {
  static BenchReport report() {
    IsolationFacts process = new IsolationFacts("6.18.44", false, 2, 0, "00000000a80425fb", "00000000a80425fb", 14,
        "0 0 4294967295", false, 121463, 0, false, false, "none", Scripts.acceleratorMeaning("none"));
    IsolationFacts vm = new IsolationFacts("6.1.0-57-amd64", true, 0, 0, "000001ffffffffff", "000001ffffffffff", 41,
        "0 0 4294967295", false, 96469, 96467, true, true, "tcg", Scripts.acceleratorMeaning("tcg"));
    List<Figure> container = List.of(
        new Figure("start.firstOutput.median", "create to first output, median", 412.5, "ms", "engine calls <timed>", 5),
        new Figure("start.firstOutput.p90", "create to first output, p90", 874.9, "ms", "engine calls & p90", 5),
        new Figure("memory.pss", "host memory of one idle instance", 1.56, "MiB", "sum of Pss \"smaps_rollup\"", 1),
        new Figure("density.instances", "idle instances within the budgets", 16, "instances", "budgets 256 MiB", 1),
        new Figure("cpu.hash.ratio", "CPU", 1.46, "x", "sha256sum inside / host", 1),
        new Figure("net.hostToInstance", "host to instance", 201.8, "MiB/s", "Java socket to 127.0.0.1", 1));
    List<Figure> micro = List.of(
        new Figure("start.firstOutput.median", "create to first output, median", 12192.5, "ms", "engine calls, vm", 2),
        new Figure("memory.pss", "host memory of one idle instance", 219.9, "MiB", "QEMU's Pss", 1),
        new Figure("cpu.syscalls.ratio", "syscalls", 40.05, "x", "dd bs=1 inside / host", 1));
    KindResult c = new KindResult("container", "container (runc)", "measured", "", container, process, List.of(), "");
    KindResult m = new KindResult("microvm", "microVM <vm>", "partial", "", micro, vm,
        List.of("density: failed: not one instance started"), "");
    c = new KindResult(c.kind(), c.label(), c.status(), "", c.figures(), c.isolation(), c.notes(), Verdicts.of(c));
    m = new KindResult(m.kind(), m.label(), m.status(), "", m.figures(), m.isolation(), m.notes(), Verdicts.of(m));
    return new BenchReport("0123456789ab", "2026-12-07T00:48:47Z", 129.9,
        new BenchOptions(true, 0, "busybox:latest", List.of(), "", ""),
        new BenchReport.Host("6.18.44", 2, 24L << 30, 3.5, "0.1.0"),
        List.of(c, m, KindResult.skipped("vm", "full VM (QEMU)", "no --vm-image given"),
            KindResult.skipped("docker", "docker", "no --docker-host given")));
  }

  @Test
  void thePageIsWellFormedAndSelfContained() throws Exception {
    String html = BenchHtml.render(report());
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("html");
    assertThat(doc.getElementsByTagName("svg").getLength()).isPositive();
    assertThat(html).startsWith("<!DOCTYPE html>");
    assertThat(html).doesNotContain("<script", "<link", "src=", "href=", "@import", "url(");
    assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http:", "https:");
  }

  @Test
  void everyFigureAppearsWithItsValueUnitAndMethodEscaped() {
    BenchReport r = report();
    String html = BenchHtml.render(r);
    for (KindResult k : r.kinds()) {
      for (Figure f : k.figures()) {
        assertThat(html).contains(f.key()).contains(BenchHtml.esc(BenchHtml.valueWithUnit(f)))
            .contains(BenchHtml.esc(f.method()));
      }
      assertThat(html).contains(BenchHtml.esc(k.verdict()));
    }
    assertThat(html).contains("413 ms", "12193 ms", "220 MiB", "40.1×", "16 instances", "engine calls &lt;timed&gt;",
        "sum of Pss &quot;smaps_rollup&quot;", "microVM &lt;vm&gt;");
    assertThat(html).contains("no --vm-image given", "density: failed: not one instance started");
    assertThat(html).contains("Containers start in milliseconds, VMs in seconds or minutes.");
    assertThat(html).contains("own kernel 6.1.0-57-amd64", "host&#39;s kernel 6.18.44", "TCG");
  }

  @Test
  void theVerdictSaysWhatDecides() {
    KindResult m = report().kinds().get(1);
    assertThat(m.verdict()).contains("starts in 12.2 s", "220 MiB per idle instance", "own kernel 6.1.0-57-amd64",
        "TCG", "partial");
    assertThat(report().kinds().get(2).verdict()).isEqualTo("skipped: no --vm-image given");
  }
}
