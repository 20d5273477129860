package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.BusyboxDaemon;
import dev.berth.testkit.Commands;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up of the {@code --isolation=vm} test classes: {@link BusyboxDaemon} (a registry with
 * the test busybox, a berthd that pulled it) whose berthd boots microVMs under TCG (daemon.json
 * {@code vm-accel}: /dev/kvm on the CI machines opens but cannot run guests). Skipped without
 * QEMU or a guest kernel. After each test every container is removed and no QEMU of this
 * daemon may be left; after the class none is, whatever happened.
 */
abstract class MicroVmDaemonTest {
  static final ObjectMapper JSON = new ObjectMapper();
  /** A CLI call's limit: a boot under TCG on a loaded machine takes many seconds. */
  static final Duration RUN = Duration.ofMinutes(3);

  @TempDir
  static Path dir;

  static BusyboxDaemon env;
  static BerthdProcess daemon;
  static String image;
  /** The guest kernel's version (the newest /boot/vmlinuz-*), as the guest's uname reports it. */
  static String guestKernel;

  @BeforeAll
  static void startTcgDaemonWithBusybox() throws IOException {
    env = null; // the last class's, closed
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")),
        "qemu-system-x86 is not installed");
    Optional<Path> kernel;
    try (var boot = Files.list(Path.of("/boot"))) {
      kernel = boot.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).max(Comparator.naturalOrder());
    }
    Assumptions.assumeTrue(kernel.isPresent(), "no guest kernel in /boot (linux-image-amd64)");
    guestKernel = kernel.get().getFileName().toString().substring("vmlinuz-".length());
    Files.createDirectories(dir.resolve("berthd"));
    Files.writeString(dir.resolve("berthd/daemon.json"), "{\"vm-accel\": \"tcg\"}\n");
    env = BusyboxDaemon.start(dir);
    daemon = env.daemon();
    image = env.image();
  }

  @AfterAll
  static void stopDaemonAndQemus() {
    try {
      if (env != null) {
        env.close();
      }
    } finally {
      killLeftoverQemu();
    }
  }

  @AfterEach
  void noQemuLeft() {
    if (env == null) {
      return;
    }
    env.removeAllContainers();
    assertThat(Poll.until(Duration.ofSeconds(20), () -> qemusOfDaemon().isEmpty()))
        .as("QEMU processes left: %s", qemusOfDaemon()).isTrue();
    killLeftoverQemu();
  }

  /** The QEMU processes of this class's daemon (their paths are under the temp dir). */
  static List<Long> qemusOfDaemon() {
    List<Long> pids = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(cmd -> {
      if (cmd.contains("qemu-system") && cmd.contains(dir.toString())) {
        pids.add(p.pid());
      }
    }));
    return pids;
  }

  /** Whatever happened, no QEMU of this class's daemon survives it. */
  static void killLeftoverQemu() {
    if (dir == null) {
      return;
    }
    qemusOfDaemon().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  static ProcessResult berth(String... args) {
    return Commands.run(Commands.berthCommand(daemon.host(), args), RUN);
  }

  static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  static JsonNode inspect(String id) throws IOException {
    return JSON.readTree(ok(berth("inspect", id)).stdout()).get(0);
  }
}
