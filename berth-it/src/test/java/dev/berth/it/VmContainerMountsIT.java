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
 * Volumes, binds and tmpfs of {@code --isolation=vm} containers (shared over virtio-9p, mounted
 * by the guest init), through bin/berth and the docker CLI; TCG as in {@link VmContainerIT}. Each
 * test boots one microVM and checks as much as it can with it.
 */
@Tag("integration")
class VmContainerMountsIT {
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
  void volumesBindsTmpfsAndVolumesFromAreMountedInTheGuestAndShared() throws IOException {
    Path rw = Files.createDirectories(dir.resolve("host-rw"));
    Path ro = Files.createDirectories(dir.resolve("host-ro"));
    Files.writeString(ro.resolve("hello"), "from the host\n");
    ok(berth("volume", "create", "vmdata"));
    // a plain container holds a named and an anonymous volume; the microVM takes them with --volumes-from
    ok(berth("create", "--name", "holder", "-v", "vmdata:/data", "-v", "/anon", image, "true"));

    ProcessResult r = berth("run", "--rm", "--isolation=vm", "--volumes-from", "holder", "-v", rw + ":/rw",
        "-v", ro + ":/ro:ro", "--tmpfs", "/scratch:size=1m", image, "sh", "-c",
        "echo from the guest > /data/f; echo anon > /anon/a; echo bind > /rw/g; cat /ro/hello;"
            + " if touch /ro/x 2>/dev/null; then echo ro writable; else echo ro refused; fi;"
            + " echo tmp > /scratch/t && cat /scratch/t; grep ' /scratch ' /proc/mounts | cut -d' ' -f3;"
            + " grep ' /data ' /proc/mounts | cut -d' ' -f3");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).isEqualTo("from the host\nro refused\ntmp\ntmpfs\n9p\n");
    assertThat(rw.resolve("g")).hasContent("bind");
    assertThat(ro.resolve("x")).doesNotExist();
    JsonNode volume = JSON.readTree(ok(berth("volume", "inspect", "vmdata")).stdout()).get(0);
    assertThat(Path.of(volume.get("Mountpoint").asText()).resolve("f")).hasContent("from the guest");
    // a plain container sharing the volumes sees what the guest wrote
    assertThat(ok(berth("run", "--rm", "--volumes-from", "holder", image, "cat", "/data/f", "/anon/a")).stdout())
        .isEqualTo("from the guest\nanon\n");
  }

  @Test
  void dockerRunIsolationVmWithAVolume() {
    Path docker = Path.of("/usr/local/bin/docker");
    Assumptions.assumeTrue(Files.isExecutable(docker), "the docker CLI is not at /usr/local/bin/docker");
    Map<String, String> env = Map.of("DOCKER_CONFIG", dir.resolve("docker-config").toString());
    ProcessResult r = Commands.run(List.of(docker.toString(), "-H", daemon.host(), "run", "--rm", "--isolation=vm",
        "-v", "dockervol:/v", image, "sh", "-c", "echo via docker > /v/file; cat /v/file"), env, RUN);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).isEqualTo("via docker\n");
    ProcessResult plain = Commands.run(List.of(docker.toString(), "-H", daemon.host(), "run", "--rm",
        "-v", "dockervol:/v", image, "cat", "/v/file"), env, RUN);
    assertThat(plain.stdout()).as(plain.toString()).isEqualTo("via docker\n");
  }

  @Test
  void aFileBindIsRefusedAtCreateAndNothingIsLeft() throws IOException {
    Path file = Files.writeString(dir.resolve("app.conf"), "x");
    ProcessResult r = berth("create", "--isolation=vm", "-v", file + ":/etc/app.conf", image, "true");

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr()).contains("bind the directory that holds the file");
    assertThat(berth("ps", "-aq").stdout()).isBlank();
  }
}
