package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth bench --quick} for plain and microVM containers, through bin/berth, as a user runs
 * it: every figure present, positive and labelled with its method, the HTML page written with
 * them, the report listed and shown again, nothing left running. berthd uses TCG (daemon.json
 * vm-accel, as VmContainerIT): this machine's /dev/kvm cannot run guests.
 */
@Tag("integration")
class BenchIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> FIGURES = List.of("start.firstOutput.median", "start.firstOutput.p90",
      "start.exit.median", "start.exit.p90", "memory.pss", "density.instances", "cpu.hash.ratio",
      "io.writeRead.ratio", "cpu.syscalls.ratio", "net.instanceToInstance", "net.hostToInstance");

  @TempDir
  static Path dir;

  static LocalRegistry registry;
  static BerthdProcess daemon;
  static String image;

  @BeforeAll
  static void startDaemon() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")),
        "qemu-system-x86 is not installed");
    registry = LocalRegistry.start(dir.resolve("registry"));
    image = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest").pushTo(registry.host() + "/test/busybox:latest");
    Files.createDirectories(dir.resolve("berthd"));
    Files.writeString(dir.resolve("berthd/daemon.json"), "{\"vm-accel\": \"tcg\"}\n");
    daemon = BerthdProcess.start(dir.resolve("berthd"));
    ok(berth("pull", image));
  }

  @AfterAll
  static void stopAll() {
    if (daemon != null) {
      for (String id : berth("ps", "-aq", "--no-trunc").stdout().lines().filter(l -> !l.isBlank()).toList()) {
        berth("rm", "-f", id);
      }
      daemon.stop();
    }
    if (registry != null) {
      registry.close();
    }
    ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(cmd -> {
      if (cmd.contains("qemu-system") && cmd.contains(dir.toString())) {
        p.destroyForcibly();
      }
    }));
    Leftovers.mountsUnder(dir).forEach(m -> Commands.run(List.of("umount", "-l", m), Duration.ofSeconds(10)));
  }

  private static ProcessResult berth(String... args) {
    return Commands.run(Commands.berthCommand(daemon.host(), args), Duration.ofMinutes(10));
  }

  private static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  @Test
  void quickBenchMeasuresContainersAndMicroVmsAndWritesTheReport() throws IOException {
    Path html = dir.resolve("report.html");
    double load = loadAverage();
    long t0 = System.nanoTime();
    ProcessResult r = ok(berth("bench", "--quick", "--kinds", "container,microvm,vm", "--image", image,
        "--format", "json", "--html", html.toString()));
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("berth bench --quick: %.1f s wall (load %.1f at the start)%n", seconds, load);

    JsonNode report = JSON.readTree(r.stdout());
    String id = report.path("Id").asText();
    assertThat(id).matches("[0-9a-f]{12}");
    assertThat(r.stderr()).contains("[1/12] container: start").contains("HTML report written to " + html);
    Map<String, JsonNode> kinds = new HashMap<>();
    report.path("Kinds").forEach(k -> kinds.put(k.path("Kind").asText(), k));
    assertThat(kinds).containsOnlyKeys("container", "microvm", "vm");
    assertThat(kinds.get("vm").path("Status").asText()).isEqualTo("skipped");
    assertThat(kinds.get("vm").path("Reason").asText()).isEqualTo("no --vm-image given");

    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").doesNotContain("<script", "src=", "href=");
    for (String kind : List.of("container", "microvm")) {
      JsonNode k = kinds.get(kind);
      assertThat(k.path("Notes")).as("%s notes", kind).isEmpty();
      assertThat(k.path("Status").asText()).isEqualTo("measured");
      Map<String, JsonNode> figures = new HashMap<>();
      k.path("Figures").forEach(f -> figures.put(f.path("Key").asText(), f));
      assertThat(figures.keySet()).as(kind).containsExactlyInAnyOrderElementsOf(FIGURES);
      for (JsonNode f : figures.values()) {
        assertThat(f.path("Value").asDouble()).as("%s %s", kind, f).isPositive();
        assertThat(f.path("Unit").asText()).as("%s %s", kind, f).isNotBlank();
        assertThat(f.path("Method").asText()).as("%s %s", kind, f).hasSizeGreaterThan(30);
        assertThat(f.path("Samples").asInt()).as("%s %s", kind, f).isPositive();
        assertThat(page).contains(f.path("Key").asText()).contains(escaped(f.path("Method").asText()));
      }
      JsonNode facts = k.path("Isolation");
      assertThat(facts.path("Kernel").asText()).isNotBlank();
      assertThat(k.path("Verdict").asText()).startsWith("starts in ");
      assertThat(page).contains(escaped(k.path("Verdict").asText()));
    }
    JsonNode container = kinds.get("container").path("Isolation");
    JsonNode microVm = kinds.get("microvm").path("Isolation");
    assertThat(container.path("OwnKernel").asBoolean()).isFalse();
    assertThat(container.path("Seccomp").asInt()).isEqualTo(2); // Docker's default profile, a filter
    assertThat(container.path("SysWritable").asBoolean()).isFalse();
    assertThat(container.path("Accelerator").asText()).isEqualTo("none");
    assertThat(microVm.path("OwnKernel").asBoolean()).isTrue();
    assertThat(microVm.path("Accelerator").asText()).isEqualTo("tcg");
    assertThat(microVm.path("AcceleratorMeaning").asText()).contains("TCG");

    // The row's numbers are what a user would expect of the two kinds, whatever the load.
    assertThat(figure(kinds.get("microvm"), "memory.pss")).isGreaterThan(figure(kinds.get("container"), "memory.pss"));
    assertThat(figure(kinds.get("microvm"), "start.firstOutput.median"))
        .isGreaterThan(figure(kinds.get("container"), "start.firstOutput.median"));

    // Nothing the bench started is left.
    assertThat(ok(berth("ps", "-aq")).stdout()).isBlank();

    // Listed, and shown again the same.
    assertThat(ok(berth("bench", "ls")).stdout()).contains(id).contains(image);
    JsonNode shown = JSON.readTree(ok(berth("bench", "show", id, "--format", "json")).stdout());
    assertThat(shown).isEqualTo(report);
    assertThat(ok(berth("bench", "show", id)).stdout()).contains("container   measured").contains("microvm: starts in ");
    ProcessResult missing = berth("bench", "show", "000000000000");
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.stderr()).contains("No such bench report: 000000000000");

    // The goal is 90 s on this machine; on a machine loaded past its CPUs by other work the
    // microVM boots stretch (they run under TCG), so the bound there is looser, not absent.
    double bound = load <= Runtime.getRuntime().availableProcessors() ? 90 : 180;
    assertThat(report.path("DurationSeconds").asDouble()).as("bench duration at load %.1f", load).isLessThan(bound);
  }

  @Test
  void aMissingImageIsAClearErrorBeforeAnythingRuns() {
    ProcessResult r = berth("bench", "--quick", "--image", "nosuch:latest");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr()).contains("No such image: nosuch:latest").contains("quickstart.sh").contains("--image");
    assertThat(r.stderr()).doesNotContain("[1/");
  }

  private static double figure(JsonNode kind, String key) {
    List<Double> v = new ArrayList<>();
    kind.path("Figures").forEach(f -> {
      if (f.path("Key").asText().equals(key)) {
        v.add(f.path("Value").asDouble());
      }
    });
    assertThat(v).as(key).hasSize(1);
    return v.getFirst();
  }

  private static String escaped(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }

  private static double loadAverage() throws IOException {
    return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
  }
}
