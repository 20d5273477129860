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

  /**
   * The full-VM row from a disk image: a one-sector image whose boot code writes a banner and a
   * login prompt to the serial port (COM1) and halts; QEMU boots it in well under a second, even under TCG.
   */
  @Test
  void aFullVmFromADiskImageIsTimedToItsLoginPromptAndWeighed() throws IOException {
    Path raw = dir.resolve("boot.raw");
    Files.write(raw, bootSector("bench boot sector\r\nbench login: "));
    Path disk = dir.resolve("boot.qcow2");
    ok(Commands.run(List.of("qemu-img", "convert", "-O", "qcow2", raw.toString(), disk.toString()), Duration.ofMinutes(1)));

    ProcessResult r = ok(berth("bench", "--quick", "--kinds", "vm", "--image", image, "--vm-image", disk.toString(),
        "--format", "json"));

    JsonNode vm = JSON.readTree(r.stdout()).path("Kinds").get(0);
    assertThat(vm.path("Kind").asText()).isEqualTo("vm");
    assertThat(vm.path("Status").asText()).as(vm.toString()).isEqualTo("partial");
    assertThat(vm.path("Notes").toString()).contains("not measured for a full VM");
    Map<String, JsonNode> figures = new HashMap<>();
    vm.path("Figures").forEach(f -> figures.put(f.path("Key").asText(), f));
    assertThat(figures).as(vm.toString()).containsOnlyKeys("start.firstOutput.median", "start.firstOutput.p90",
        "start.login.median", "memory.pss");
    for (JsonNode f : figures.values()) {
      assertThat(f.path("Value").asDouble()).as("%s", f).isPositive();
      assertThat(f.path("Method").asText()).as("%s", f).contains("serial console");
    }
    assertThat(figures.get("start.login.median").path("Method").asText()).contains(disk.toString());
    assertThat(figures.get("memory.pss").path("Method").asText()).contains("QEMU");
    assertThat(figures.get("start.login.median").path("Value").asDouble())
        .isGreaterThanOrEqualTo(figures.get("start.firstOutput.median").path("Value").asDouble());
    assertThat(ok(berth("vm", "ls", "-q")).stdout()).isBlank(); // the bench removed its VM
    assertThat(Files.size(raw)).isEqualTo(1 << 20); // the image itself is untouched (the VM ran on an overlay)
  }

  /** x86 real-mode boot code: print {@code text} on COM1 (port 0x3f8), then halt forever. */
  private static byte[] bootSector(String text) {
    byte[] code = {(byte) 0xFC, 0x31, (byte) 0xC0, (byte) 0x8E, (byte) 0xD8, // cld; xor ax,ax; mov ds,ax
        (byte) 0xBE, 0x16, 0x7C, (byte) 0xBA, (byte) 0xF8, 0x03, // mov si,0x7c16 (the text); mov dx,0x3f8
        (byte) 0xAC, (byte) 0x84, (byte) 0xC0, 0x74, 0x03, (byte) 0xEE, (byte) 0xEB, (byte) 0xF8, // lodsb; jz; out; jmp
        (byte) 0xF4, (byte) 0xEB, (byte) 0xFD}; // hlt; jmp hlt
    byte[] disk = new byte[1 << 20];
    System.arraycopy(code, 0, disk, 0, code.length);
    byte[] t = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(t, 0, disk, code.length, t.length); // NUL-terminated by the zeroes after it
    disk[510] = 0x55;
    disk[511] = (byte) 0xAA;
    return disk;
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
