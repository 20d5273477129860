package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.Commands;
import dev.berth.testkit.registry.LocalRegistry;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.image.BusyboxImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --isolation=vm}: busybox images booted in a microVM with the host's Debian kernel,
 * through bin/berth and the docker CLI. berthd is told to use TCG (daemon.json vm-accel): /dev/kvm
 * on the CI machines opens but cannot run guests. Boots take seconds; the tests are few.
 */
@Tag("integration")
class VmContainerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RUN = Duration.ofMinutes(3);

  @TempDir
  static Path dir;

  static LocalRegistry registry;
  static BerthdProcess daemon;
  static String image;
  static String guestKernel;

  @BeforeAll
  static void startDaemon() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")),
        "qemu-system-x86 is not installed");
    Optional<Path> kernel;
    try (var boot = Files.list(Path.of("/boot"))) {
      kernel = boot.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).max(Comparator.naturalOrder());
    }
    Assumptions.assumeTrue(kernel.isPresent(), "no guest kernel in /boot (linux-image-amd64)");
    guestKernel = kernel.get().getFileName().toString().substring("vmlinuz-".length());
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
      removeAll();
      daemon.stop();
    }
    if (registry != null) {
      registry.close();
    }
    killLeftoverQemu();
    Leftovers.mountsUnder(dir).forEach(m -> Commands.run(List.of("umount", "-l", m), Duration.ofSeconds(10)));
  }

  /** Whatever happened, no QEMU of this test's daemon survives it (its paths are under our temp dir). */
  private static void killLeftoverQemu() {
    ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(cmd -> {
      if (cmd.contains("qemu-system") && cmd.contains(dir.toString())) {
        p.destroyForcibly();
      }
    }));
  }

  @AfterEach
  void noLeaks() {
    removeAll();
    assertThat(Poll.until(Duration.ofSeconds(20), () -> qemusOfDaemon().isEmpty()))
        .as("QEMU processes left: %s", qemusOfDaemon()).isTrue();
    killLeftoverQemu();
  }

  private static List<Long> qemusOfDaemon() {
    List<Long> pids = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(cmd -> {
      if (cmd.contains("qemu-system") && cmd.contains(dir.toString())) {
        pids.add(p.pid());
      }
    }));
    return pids;
  }

  private static void removeAll() {
    for (String id : berth("ps", "-aq", "--no-trunc").stdout().lines().filter(l -> !l.isBlank()).toList()) {
      berth("rm", "-f", id);
    }
  }

  private static ProcessResult berth(String... args) {
    List<String> cmd = Commands.berthCommand(daemon.host(), args);
    return Commands.run(cmd, RUN);
  }

  private static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  private static JsonNode inspect(String id) throws IOException {
    return JSON.readTree(ok(berth("inspect", id)).stdout()).get(0);
  }

  @Test
  void runRmPrintsTheGuestKernelsBannerAndExitCode() {
    ProcessResult r = berth("run", "--rm", "--isolation=vm", image, "sh", "-c", "cat /proc/version; exit 4");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
    assertThat(r.stdout()).as(r.toString()).startsWith("Linux version " + guestKernel + " ");
    String host = Commands.run(List.of("uname", "-r"), Duration.ofSeconds(10)).stdout().strip();
    if (!host.equals(guestKernel)) {
      assertThat(r.stdout()).doesNotContain("Linux version " + host);
    }
    assertThat(berth("ps", "-aq").stdout()).isBlank(); // --rm removed it
  }

  @Test
  void withoutRmTheOutputIsInLogsAndInspectShowsTheIsolation() throws IOException {
    String id = ok(berth("run", "-d", "--isolation=vm", "-e", "GREETING=hello vm", "-w", "/tmp/work", "-u", "1000:1000",
        image, "sh", "-c", "echo \"$GREETING from $(pwd) as $(id -u):$(id -g)\"; echo oops >&2; exit 3"))
        .stdout().strip();

    assertThat(ok(berth("wait", id)).stdout().strip()).isEqualTo("3");
    ProcessResult logs = ok(berth("logs", id));
    assertThat(logs.stdout()).isEqualTo("hello vm from /tmp/work as 1000:1000\n");
    assertThat(logs.stderr()).isEqualTo("oops\n");
    JsonNode c = inspect(id);
    assertThat(c.at("/HostConfig/Isolation").asText()).isEqualTo("vm");
    assertThat(c.at("/State/ExitCode").asInt()).isEqualTo(3);
    assertThat(c.at("/State/Status").asText()).isEqualTo("exited");
    assertThat(ok(berth("ps", "-a", "--format", "{{.Status}}")).stdout()).startsWith("Exited (3)");
  }

  @Test
  void stopSignalsTheGuestProcessThenEndsAVmThatIgnoresIt() throws IOException {
    String polite = ok(berth("run", "-d", "--isolation=vm", image, "sh", "-c",
        "trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 1; done")).stdout().strip();
    awaitLog(polite, "ready");
    assertThat(inspect(polite).at("/State/Running").asBoolean()).isTrue();
    ok(berth("stop", "-t", "30", polite));
    assertThat(inspect(polite).at("/State/ExitCode").asInt()).isEqualTo(7);
    assertThat(ok(berth("logs", polite)).stdout()).contains("got TERM");

    String stubborn = ok(berth("run", "-d", "--isolation=vm", image, "sh", "-c",
        "trap '' TERM; echo ready; while :; do sleep 1; done")).stdout().strip();
    awaitLog(stubborn, "ready");
    long t0 = System.nanoTime();
    ok(berth("stop", "-t", "2", stubborn));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    assertThat(inspect(stubborn).at("/State/ExitCode").asInt()).isEqualTo(137);
  }

  @Test
  void aMicroVmOutlivesACrashOfBerthdAndIsFollowedAgain() throws IOException {
    String id = ok(berth("run", "-d", "--isolation=vm", image, "sh", "-c",
        "trap 'echo bye; exit 9' TERM; echo before; while :; do sleep 1; done")).stdout().strip();
    awaitLog(id, "before");

    daemon.kill(); // SIGKILL: QEMU runs on, detached
    daemon = BerthdProcess.start(dir.resolve("berthd"));

    assertThat(inspect(id).at("/State/Running").asBoolean()).isTrue();
    ok(berth("stop", "-t", "30", id));
    assertThat(inspect(id).at("/State/ExitCode").asInt()).isEqualTo(9);
    assertThat(ok(berth("logs", id)).stdout()).isEqualTo("before\nbye\n"); // followed on, nothing repeated
  }

  private static void awaitLog(String id, String text) {
    assertThat(Poll.until(RUN, () -> berth("logs", id).stdout().contains(text)))
        .as("%s never logged %s; serial log: %s", id, text, serialLog(id)).isTrue();
  }

  private static String serialLog(String id) {
    try {
      return Files.readString(daemon.dataRoot().resolve("containers").resolve(id).resolve("vm/serial.log"));
    } catch (IOException e) {
      return "(none: " + e.getMessage() + ")";
    }
  }

  @Test
  void dockerRunIsolationVm() {
    Path docker = Path.of("/usr/local/bin/docker");
    Assumptions.assumeTrue(Files.isExecutable(docker), "the docker CLI is not at /usr/local/bin/docker");
    ProcessResult r = Commands.run(List.of(docker.toString(), "-H", daemon.host(), "run", "--rm", "--isolation=vm",
        image, "sh", "-c", "echo kernel $(uname -r); exit 5"),
        Map.of("DOCKER_CONFIG", dir.resolve("docker-config").toString()), RUN);

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(5);
    assertThat(r.stdout()).isEqualTo("kernel " + guestKernel + "\n");
  }

  @Test
  void badIsolationOptionsAreRefusedAndNothingIsCreated() {
    ProcessResult unknown = berth("create", "--isolation=hyperv", image, "true");
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.stderr()).contains("invalid isolation \"hyperv\"").contains("process or vm");

    ProcessResult host = berth("create", "--network", "host", "--isolation=vm", image, "true");
    assertThat(host.exitCode()).isNotZero();
    assertThat(host.stderr()).contains("--isolation=vm cannot use --network host");

    assertThat(berth("ps", "-aq").stdout()).isBlank();
  }

  @Test
  void infoShowsTheHypervisorAndTheGuestKernel() {
    String info = ok(berth("info")).stdout();
    assertThat(info).containsPattern("berth\\.hypervisor=QEMU \\d+\\.\\d+");
    assertThat(info).contains("berth.microvm=guest kernel " + guestKernel + " (/boot/vmlinuz-" + guestKernel + "), tcg");
  }
}
