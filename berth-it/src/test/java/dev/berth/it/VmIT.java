package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.Repo;
import dev.berth.testkit.registry.LocalRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VMs end to end: bin/berthd runs QEMU, bin/berth drives it. Boots are few and short (the CI
 * machine has 2 cores and no working KVM): every VM is forced to TCG with --accel tcg.
 */
@Tag("integration")
class VmIT {
  private static final Duration BOOT = Duration.ofSeconds(180);

  @TempDir
  static Path assetsDir;

  @TempDir
  Path dir;

  private static GuestAssets assets;
  private final List<String> vmIds = new ArrayList<>();

  @BeforeAll
  static void buildGuest() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")), "qemu-system-x86 is not installed");
    Assumptions.assumeTrue(GuestAssets.hostKernel().isPresent(), "no guest kernel in /boot (linux-image-amd64)");
    assets = GuestAssets.build(assetsDir);
  }

  /** Whatever happened, no QEMU of ours survives the test. */
  @AfterEach
  void killLeftoverQemu() {
    for (String id : vmIds) {
      Commands.run(List.of("pkill", "-9", "-f", "qemu-system.*" + id), Duration.ofSeconds(10));
    }
  }

  private static ProcessResult berth(BerthdProcess d, String... args) {
    return Commands.berth(d.host(), args);
  }

  private static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  private String create(BerthdProcess d, String... args) {
    List<String> cmd = new ArrayList<>(List.of("vm", "create", "--accel", "tcg", "--memory", "128m"));
    cmd.addAll(List.of(args));
    String id = ok(berth(d, cmd.toArray(String[]::new))).stdout().strip();
    assertThat(id).matches("[0-9a-f]{64}");
    vmIds.add(id);
    return id;
  }

  private static boolean qemuRunning(String id) {
    return Commands.run(List.of("pgrep", "-f", "qemu-system.*" + id), Duration.ofSeconds(10)).exitCode() == 0;
  }

  private static void await(String what, Duration timeout, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(200); // polling interval; the deadline bounds the wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static String state(BerthdProcess d, String vm) {
    return ok(berth(d, "vm", "inspect", "--format", "{{.State}}", vm)).stdout().strip();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }

  @Test
  void bootConsoleStopAndSurviveADaemonKill() throws Exception {
    String id;
    String pid;
    try (BerthdProcess d = BerthdProcess.start(dir)) {
      int port = freePort();
      id = create(d, "--name", "tiny", "--cpus", "1", "--kernel", assets.kernel.toString(),
          "--initrd", assets.initrd.toString(), "-p", port + ":80");
      assertThat(state(d, "tiny")).isEqualTo("created");
      ok(berth(d, "vm", "start", id.substring(0, 8)));
      assertThat(ok(berth(d, "vm", "inspect", "--format", "{{.Accel}} {{.State}}", "tiny")).stdout())
          .isEqualTo("tcg running\n");
      assertThat(ok(berth(d, "info")).stdout()).contains("berth.hypervisor=QEMU ");
      await("the guest's marker in berth vm logs", BOOT,
          () -> berth(d, "vm", "logs", "tiny").stdout().contains(GuestAssets.MARKER));

      // The console: a command typed in is run by the guest's shell and its output comes back.
      String token = "hi-" + ThreadLocalRandom.current().nextInt(1_000_000);
      Process console = new ProcessBuilder(Repo.root().resolve("bin/berth").toString(), "-H", d.host(),
          "vm", "console", "tiny").redirectErrorStream(true).start();
      try {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> copy(console.getInputStream(), seen));
        OutputStream in = console.getOutputStream();
        in.write(("echo " + token + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        await("the echo on the console", Duration.ofSeconds(60),
            () -> text(seen).replace("\r", "").contains("\n" + token + "\n"));
        in.close(); // end of input detaches
        assertThat(console.waitFor(30, TimeUnit.SECONDS)).as("console exits at end of input").isTrue();
        reader.join(Duration.ofSeconds(10));
      } finally {
        console.destroyForcibly();
      }

      ok(berth(d, "vm", "pause", "tiny"));
      assertThat(state(d, "tiny")).isEqualTo("paused");
      ok(berth(d, "vm", "resume", "tiny"));
      assertThat(state(d, "tiny")).isEqualTo("running");

      // The guest has no ACPI daemon: stop must escalate to quit and still end the VM.
      ok(berth(d, "vm", "stop", "-t", "2", "tiny"));
      assertThat(qemuRunning(id)).isFalse();
      assertThat(ok(berth(d, "vm", "ls")).stdout()).containsPattern(id.substring(0, 12) + " +tiny +stopped +tcg");
      assertThat(d.log()).contains("sending QMP quit");

      // A VM outlives a SIGKILLed berthd ...
      ok(berth(d, "vm", "start", "tiny"));
      pid = ok(berth(d, "vm", "inspect", "--format", "{{.Pid}}", "tiny")).stdout().strip();
      d.kill();
      assertThat(qemuRunning(id)).isTrue();
    }
    // ... and is managed again by the next one.
    try (BerthdProcess d = BerthdProcess.start(dir)) {
      assertThat(ok(berth(d, "vm", "inspect", "--format", "{{.State}} {{.Pid}}", "tiny")).stdout())
          .isEqualTo("running " + pid + "\n");
      assertThat(d.log()).contains("still runs; reconnected");
      ok(berth(d, "vm", "stop", "-t", "1", "tiny"));
      assertThat(qemuRunning(id)).isFalse();
      assertThat(state(d, "tiny")).isEqualTo("stopped");
      ok(berth(d, "vm", "rm", "tiny"));
      assertThat(d.dataRoot().resolve("vm")).isEmptyDirectory();
    }
  }

  @Test
  void fromDiskBootsAnOverlayAndLeavesTheBaseUnchanged() throws Exception {
    Path base = GuestAssets.rootDisk(dir.resolve("disk"), "BERTH-ROOT-FROM-DISK");
    String before = sha256(base);
    try (BerthdProcess d = BerthdProcess.start(dir.resolve("berthd"))) {
      long since = java.time.Instant.now().getEpochSecond();
      String id = create(d, "--name", "fromdisk", "--from-disk", base.toString(), "--kernel", assets.kernel.toString(),
          "--initrd", assets.initrd.toString(), "--append", "berth.root=/dev/vda");
      String disk = ok(berth(d, "vm", "inspect", "--format", "{{.Config.Disk}} {{.Config.BaseDisk}}", id)).stdout();
      assertThat(disk).startsWith(d.dataRoot().resolve("vm").resolve(id) + "/disk.qcow2 ").contains(base.toString());
      ok(berth(d, "vm", "start", "fromdisk"));
      await("the root file system's marker", BOOT, () -> {
        String logs = berth(d, "vm", "logs", "fromdisk").stdout();
        assertThat(logs).as("the guest mounts its root").doesNotContain("BERTH-MOUNT-FAILED");
        return logs.contains("BERTH-ROOT-FROM-DISK");
      });
      String firstPid = ok(berth(d, "vm", "inspect", "--format", "{{.Pid}}", "fromdisk")).stdout().strip();
      ok(berth(d, "vm", "restart", "-t", "1", "fromdisk"));
      assertThat(ok(berth(d, "vm", "inspect", "--format", "{{.State}} {{.Pid}}", "fromdisk")).stdout())
          .startsWith("running ").doesNotContain(" " + firstPid + "\n");
      ok(berth(d, "vm", "kill", "fromdisk"));
      assertThat(qemuRunning(id)).isFalse();
      assertThat(state(d, "fromdisk")).isEqualTo("stopped");
      // logs -f of a stopped VM prints what there is and ends.
      ProcessResult follow = ok(berth(d, "vm", "logs", "-f", "fromdisk"));
      assertThat(follow.stdout()).contains("BERTH-ROOT-FROM-DISK");
      assertThat(sha256(base)).as("the base image is never written").isEqualTo(before);

      ok(berth(d, "vm", "start", "fromdisk"));
      ProcessResult busy = berth(d, "vm", "rm", "fromdisk");
      assertThat(busy.exitCode()).isEqualTo(1);
      assertThat(busy.stderr()).contains("is running").contains("rm -f");
      ok(berth(d, "vm", "rm", "-f", "fromdisk"));
      assertThat(qemuRunning(id)).isFalse();
      assertThat(ok(berth(d, "vm", "ls", "-q")).stdout()).isEmpty();
      assertThat(d.dataRoot().resolve("vm")).isEmptyDirectory();
      assertThat(sha256(base)).isEqualTo(before);
      String until = Long.toString(java.time.Instant.now().getEpochSecond() + 1);
      assertThat(ok(berth(d, "events", "--since", Long.toString(since), "--until", until, "--filter", "type=vm",
          "--format", "{{.Action}}")).stdout().lines().toList())
          .containsSubsequence("create", "start", "stop", "start", "stop", "start", "stop", "destroy");
    }
  }

  /** A VM's serial console through `berth vm console`: lines typed in, output collected. */
  private static final class GuestConsole implements AutoCloseable {
    private final Process process;
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
    private final Thread reader;

    GuestConsole(BerthdProcess d, String vm) throws IOException {
      process = new ProcessBuilder(Repo.root().resolve("bin/berth").toString(), "-H", d.host(),
          "vm", "console", vm).redirectErrorStream(true).start();
      reader = Thread.ofVirtual().start(() -> copy(process.getInputStream(), seen));
    }

    /** Runs {@code command} in the guest's shell and waits for the line {@code expected} it prints. */
    void run(String command, String expected) throws IOException {
      process.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().flush();
      try {
        await("'" + expected + "' on the console after: " + command, Duration.ofSeconds(60),
            () -> text(seen).replace("\r", "").contains("\n" + expected + "\n"));
      } catch (AssertionError e) {
        String out = output();
        throw new AssertionError(e.getMessage() + "; the console showed:\n" + out.substring(Math.max(0, out.length() - 3000)));
      }
    }

    String output() {
      return text(seen).replace("\r", "");
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close(); // end of input detaches
      process.waitFor(30, TimeUnit.SECONDS);
      process.destroyForcibly();
      reader.join(Duration.ofSeconds(10));
    }
  }

  /** The files at the root of a VM's qcow2 disk, read on the host (qemu-img to raw, then debugfs). */
  private static String rootListing(Path qcow2, Path scratch) {
    Path raw = scratch.resolve("inspect.raw");
    ok(Commands.run(List.of("qemu-img", "convert", "-U", "-O", "raw", qcow2.toString(), raw.toString()),
        Duration.ofMinutes(1)));
    ProcessResult ls = ok(Commands.run(List.of("debugfs", "-R", "ls -l /", raw.toString()), Duration.ofMinutes(1)));
    return ls.stdout();
  }

  @Test
  void snapshotsBringBackADeletedFileAndACloneBootsFromTheCopy() throws Exception {
    Path base = GuestAssets.rootDisk(dir.resolve("disk"), "BERTH-ROOT-SNAP");
    try (BerthdProcess d = BerthdProcess.start(dir.resolve("berthd"))) {
      String id = create(d, "--name", "snappy", "--from-disk", base.toString(), "--kernel", assets.kernel.toString(),
          "--initrd", assets.initrd.toString(), "--append", "berth.root=/dev/vda");
      Path disk = d.dataRoot().resolve("vm").resolve(id).resolve("disk.qcow2");
      // Before the first boot: a snapshot of the disk alone (qemu-img; no QEMU runs).
      ok(berth(d, "vm", "snapshot", "create", "snappy", "fresh"));

      ok(berth(d, "vm", "start", "snappy"));
      await("the root file system's marker", BOOT, () -> berth(d, "vm", "logs", "snappy").stdout().contains("BERTH-ROOT-SNAP"));
      try (GuestConsole console = new GuestConsole(d, "snappy")) {
        console.run("echo kept > /keep; sync; echo WROTE-$((1+1))", "WROTE-2");
        // Running: the snapshot holds the guest's memory too (QMP savevm).
        ok(berth(d, "vm", "snapshot", "create", "snappy", "live"));
        console.run("rm /keep; sync; cat /keep || echo GONE-$((2+1))", "GONE-3");
        ok(berth(d, "vm", "snapshot", "restore", "snappy", "live"));
        console.run("cat /keep; echo BACK-$((3+1))", "BACK-4");
        assertThat(console.output()).as("the deleted file is back after the restore")
            .containsSubsequence("GONE-3", "\nkept\nBACK-4");
      }
      assertThat(ok(berth(d, "vm", "snapshot", "ls", "--format", "{{.Name}} {{.Memory}}", "snappy")).stdout())
          .containsPattern("(?m)^fresh - \\(disk only\\)$").containsPattern("(?m)^live \\d+(\\.\\d+)? ?[KMG]i?B$");
      ProcessResult diskOnly = berth(d, "vm", "snapshot", "restore", "snappy", "fresh");
      assertThat(diskOnly.exitCode()).isEqualTo(1);
      assertThat(diskOnly.stderr()).contains("holds only the disk").contains("stop the VM");
      ProcessResult twice = berth(d, "vm", "snapshot", "create", "snappy", "live");
      assertThat(twice.exitCode()).isEqualTo(1);
      assertThat(twice.stderr()).contains("already has a snapshot named \"live\"");
      ProcessResult busy = berth(d, "vm", "clone", "snappy", "copycat");
      assertThat(busy.exitCode()).isEqualTo(1);
      assertThat(busy.stderr()).contains("stop it before cloning");

      ok(berth(d, "vm", "stop", "-t", "1", "snappy"));
      String cloneId = ok(berth(d, "vm", "clone", "snappy", "copycat")).stdout().strip();
      vmIds.add(cloneId);
      assertThat(ok(berth(d, "vm", "snapshot", "ls", "-q", "copycat")).stdout().lines().toList())
          .as("snapshots travel with the disk").containsExactlyInAnyOrder("fresh", "live");

      // Stopped: a restore puts the disk back as it was before the first boot.
      assertThat(rootListing(disk, dir)).contains("keep").contains("guest-was-here");
      ok(berth(d, "vm", "snapshot", "restore", "snappy", "fresh"));
      assertThat(rootListing(disk, dir)).doesNotContain("keep").doesNotContain("guest-was-here");
      ok(berth(d, "vm", "snapshot", "rm", "snappy", "live"));
      assertThat(ok(berth(d, "vm", "snapshot", "ls", "-q", "snappy")).stdout()).isEqualTo("fresh\n");

      // The clone boots from its own copy, which still has the file.
      ok(berth(d, "vm", "start", "copycat"));
      await("the clone's marker", BOOT, () -> berth(d, "vm", "logs", "copycat").stdout().contains("BERTH-ROOT-SNAP"));
      try (GuestConsole console = new GuestConsole(d, "copycat")) {
        console.run("cat /keep; echo CLONE-$((4+1))", "CLONE-5");
        assertThat(console.output()).contains("\nkept\nCLONE-5");
      }
      assertThat(rootListing(disk, dir)).as("the source's disk is not the clone's").doesNotContain("keep");

      // What cannot be snapshotted says why.
      create(d, "--name", "bare", "--kernel", assets.kernel.toString());
      ProcessResult noDisk = berth(d, "vm", "snapshot", "create", "bare", "s1");
      assertThat(noDisk.exitCode()).isEqualTo(1);
      assertThat(noDisk.stderr()).contains("has no disk").contains("--from-disk");
      ProcessResult digits = berth(d, "vm", "snapshot", "create", "copycat", "123");
      assertThat(digits.exitCode()).isEqualTo(1);
      assertThat(digits.stderr()).contains("invalid snapshot name \"123\"");
      ProcessResult missing = berth(d, "vm", "snapshot", "restore", "snappy", "ghost");
      assertThat(missing.exitCode()).isEqualTo(1);
      assertThat(missing.stderr()).contains("no snapshot named \"ghost\"");

      ok(berth(d, "vm", "rm", "-f", "copycat", "snappy", "bare"));
      assertThat(qemuRunning(cloneId)).isFalse();
      assertThat(d.dataRoot().resolve("vm")).isEmptyDirectory();
    }
  }

  @Test
  void aDiskCommittedAndPushedToARegistryBootsWithImage() throws Exception {
    Path base = GuestAssets.rootDisk(dir.resolve("disk"), "BERTH-ROOT-FROM-IMAGE");
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
        BerthdProcess d = BerthdProcess.start(dir.resolve("berthd"))) {
      String image = registry.host() + "/vmdisk:1";
      create(d, "--name", "golden", "--from-disk", base.toString(), "--kernel", assets.kernel.toString());
      ok(berth(d, "vm", "push", "golden", image));
      ok(berth(d, "vm", "rm", "golden"));
      ok(berth(d, "rmi", image));

      // Pulled on first use, then booted from an overlay over the disk inside the image.
      ProcessResult created = ok(berth(d, "vm", "create", "--accel", "tcg", "--memory", "128m", "--name", "fromimage",
          "--image", image, "--kernel", assets.kernel.toString(), "--initrd", assets.initrd.toString(),
          "--append", "berth.root=/dev/vda"));
      assertThat(created.stderr()).contains("Unable to find image '" + image + "' locally");
      String id = created.stdout().strip();
      vmIds.add(id);
      String imageId = ok(berth(d, "image", "inspect", "--format", "{{.Id}}", image)).stdout().strip();
      assertThat(ok(berth(d, "vm", "inspect", "--format", "{{.Config.Image}}", "fromimage")).stdout().strip())
          .isEqualTo(imageId);
      ok(berth(d, "vm", "start", "fromimage"));
      await("the marker of the disk from the image", BOOT, () -> {
        String logs = berth(d, "vm", "logs", "fromimage").stdout();
        assertThat(logs).as("the guest mounts its root").doesNotContain("BERTH-MOUNT-FAILED");
        return logs.contains("BERTH-ROOT-FROM-IMAGE");
      });

      ProcessResult committing = berth(d, "vm", "commit", "fromimage");
      assertThat(committing.exitCode()).isEqualTo(1);
      assertThat(committing.stderr()).contains("stop it before committing");
      ProcessResult inUse = berth(d, "rmi", image);
      assertThat(inUse.exitCode()).isEqualTo(1);
      assertThat(inUse.stderr()).contains("a VM is using its referenced image");
      ok(berth(d, "vm", "rm", "-f", "fromimage"));
      ok(berth(d, "rmi", image));

      assertThat(berth(d, "image", "inspect", imageId).exitCode()).as("the image goes once no VM uses it").isEqualTo(1);
      Path rootfsTar = dir.resolve("rootfs.tar");
      ok(Commands.run(List.of("tar", "-C", base.getParent().resolve("rootfs").toString(), "-cf", rootfsTar.toString(), "."),
          Duration.ofMinutes(1)));
      ok(berth(d, "import", rootfsTar.toString(), "notadisk:1"));
      ProcessResult notADisk = berth(d, "vm", "create", "--image", "notadisk:1", "--kernel", assets.kernel.toString());
      assertThat(notADisk.exitCode()).isEqualTo(1);
      assertThat(notADisk.stderr()).contains("carries no VM disk").contains("/disk/");
      assertThat(ok(berth(d, "vm", "ls", "-q")).stdout()).isEmpty();
    }
  }

  @Test
  void aVmOnAUserNetworkGetsItsAddressByDhcpAndAnswersAContainerByName() throws Exception {
    Path base = GuestAssets.rootDisk(dir.resolve("disk"), "BERTH-ROOT-NET");
    Path rootfsTar = dir.resolve("rootfs.tar");
    ok(Commands.run(List.of("tar", "-C", base.getParent().resolve("rootfs").toString(), "-cf", rootfsTar.toString(), "."),
        Duration.ofMinutes(1)));
    int port = freePort();
    String id;
    BerthdProcess first = BerthdProcess.start(dir.resolve("berthd"));
    try {
      ok(berth(first, "import", rootfsTar.toString(), "bb:1"));
      ok(berth(first, "network", "create", "vmnet"));
      id = create(first, "--name", "netvm", "--network", "vmnet", "-p", port + ":80", "--from-disk", base.toString(),
          "--kernel", assets.kernel.toString(), "--initrd", assets.initrd.toString(), "--append", "berth.root=/dev/vda");
      ok(berth(first, "vm", "start", "netvm"));
      java.util.regex.Matcher ip = java.util.regex.Pattern.compile("\"IPAddress\":\"(\\d+\\.\\d+\\.\\d+\\.\\d+)\"")
          .matcher(ok(berth(first, "vm", "inspect", "--format", "{{json .Networks}}", "netvm")).stdout());
      assertThat(ip.find()).as("the VM's address on vmnet in inspect").isTrue();
      await("the root file system's marker", BOOT, () -> berth(first, "vm", "logs", "netvm").stdout().contains("BERTH-ROOT-NET"));
      try (GuestConsole console = new GuestConsole(first, "netvm")) {
        // Any guest with a DHCP client gets the network's address for it.
        console.run("ip link set eth0 up; udhcpc -i eth0 -n -q -t 5 -s /udhcpc.sh; ip -4 -o addr show eth0 | grep -q '"
            + ip.group(1) + "/' && echo DHCP-OK", "DHCP-OK");
        console.run("mkdir -p /www && echo VM-PAGE > /www/index.html && httpd -p 80 -h /www && echo HTTPD-UP", "HTTPD-UP");
      }
      reachedByNameAndPort(first, port);
    } catch (Throwable e) {
      berth(first, "vm", "rm", "-f", "netvm"); // its DHCP server and namespace go with it
      first.close();
      throw e;
    }
    first.kill(); // SIGKILL: the VM, its namespace and its DHCP server outlive berthd ...
    try (BerthdProcess d = BerthdProcess.start(dir.resolve("berthd"))) {
      try {
        // ... and the next berthd keeps them: the name server and the port are back.
        assertThat(ok(berth(d, "vm", "inspect", "--format", "{{.State}}", "netvm")).stdout()).isEqualTo("running\n");
        reachedByNameAndPort(d, port);
        ProcessResult busy = berth(d, "network", "rm", "vmnet");
        assertThat(busy.exitCode()).isEqualTo(1);
        assertThat(busy.stderr()).contains("active endpoints");
        ok(berth(d, "vm", "stop", "-t", "1", "netvm"));
        assertThat(dhcpServerRuns(id)).as("the VM's DHCP server ends with it").isFalse();
        ok(berth(d, "vm", "start", "netvm"));
        assertThat(dhcpServerRuns(id)).isTrue();
        ok(berth(d, "vm", "kill", "netvm"));
        assertThat(dhcpServerRuns(id)).as("nor is it left by a kill").isFalse();
      } finally {
        berth(d, "vm", "rm", "-f", "netvm");
      }
      ok(berth(d, "network", "rm", "vmnet"));

      ProcessResult noSuchNetwork = berth(d, "vm", "create", "--network", "ghostnet", "--kernel", assets.kernel.toString());
      assertThat(noSuchNetwork.exitCode()).isEqualTo(1);
      assertThat(noSuchNetwork.stderr()).contains("ghostnet");
      assertThat(ok(berth(d, "vm", "ls", "-q")).stdout()).isEmpty();
    }
  }

  private static boolean dhcpServerRuns(String vmId) {
    return Commands.run(List.of("pgrep", "-f", "dnsmasq.*" + vmId.substring(0, 12)), Duration.ofSeconds(10)).exitCode() == 0;
  }

  /** A container on vmnet reaches the VM's web server by the VM's name, and the host through the published port. */
  private static void reachedByNameAndPort(BerthdProcess d, int port) {
    ProcessResult byName = ok(berth(d, "run", "--rm", "--network", "vmnet", "bb:1", "/bin/busybox", "sh", "-c",
        "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /bin/busybox nc -w 10 netvm 80"));
    assertThat(byName.stdout()).contains("VM-PAGE");
    ProcessResult published = ok(Commands.run(List.of("curl", "-sS", "--max-time", "10", "http://127.0.0.1:" + port + "/"),
        Duration.ofSeconds(30)));
    assertThat(published.stdout()).contains("VM-PAGE");
  }

  @Test
  void badInputIsAClearErrorAndStartsNothing() throws Exception {
    try (BerthdProcess d = BerthdProcess.start(dir)) {
      ProcessResult noKernel = berth(d, "vm", "create", "--kernel", dir.resolve("no-such-vmlinuz").toString());
      assertThat(noKernel.exitCode()).isEqualTo(1);
      assertThat(noKernel.stderr()).contains("--kernel").contains("no such file");

      ProcessResult badDisk = berth(d, "vm", "create", "--disk", dir.toString());
      assertThat(badDisk.exitCode()).isEqualTo(1);
      assertThat(badDisk.stderr()).contains("--disk");

      ProcessResult lots = berth(d, "vm", "create", "--memory", "lots", "--kernel", assets.kernel.toString());
      assertThat(lots.exitCode()).isEqualTo(1);
      assertThat(lots.stderr()).contains("invalid --memory \"lots\"");

      try (ServerSocket taken = new ServerSocket()) {
        taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ProcessResult busy = berth(d, "vm", "create", "--kernel", assets.kernel.toString(),
            "-p", taken.getLocalPort() + ":80");
        assertThat(busy.exitCode()).isEqualTo(1);
        assertThat(busy.stderr()).contains("127.0.0.1:" + taken.getLocalPort()).contains("already in use");
      }
      assertThat(ok(berth(d, "vm", "ls", "-q")).stdout()).isEmpty();
      assertThat(d.dataRoot().resolve("vm")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
          p -> assertThat(p).isEmptyDirectory());

      // A port taken between create and start: start fails before QEMU runs, and nothing is left.
      int port = freePort();
      String id = create(d, "--name", "later", "--kernel", assets.kernel.toString(), "-p", port + ":22");
      try (ServerSocket taken = new ServerSocket()) {
        taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        ProcessResult start = berth(d, "vm", "start", "later");
        assertThat(start.exitCode()).isEqualTo(1);
        assertThat(start.stderr()).contains("already in use");
      }
      assertThat(qemuRunning(id)).isFalse();
      assertThat(state(d, "later")).isEqualTo("created");

      // A new empty disk by size and a cloud-init seed: made at create, gone with rm (no boot needed).
      Path userData = Files.writeString(dir.resolve("user-data.yaml"), "#cloud-config\nhostname: seeded\n");
      String q35 = create(d, "--name", "cloudy", "--disk", "1g", "--cloud-init", userData.toString());
      String config = ok(berth(d, "vm", "inspect", "--format",
          "{{.Config.Machine}} {{.Config.Disk}} {{.Config.DiskFormat}} {{.Config.CloudInitSeed}}", "cloudy")).stdout();
      Path vmDir = d.dataRoot().resolve("vm").resolve(q35);
      assertThat(config).isEqualTo("q35 " + vmDir.resolve("disk.qcow2") + " qcow2 " + vmDir.resolve("seed.img") + "\n");
      assertThat(vmDir.resolve("seed.img")).isNotEmptyFile();
      ok(berth(d, "vm", "rm", "cloudy"));
      assertThat(vmDir).doesNotExist();

      ProcessResult usage = berth(d, "vm", "create", "--no-such-flag");
      assertThat(usage.exitCode()).isEqualTo(125);
      ProcessResult missing = berth(d, "vm", "start", "ghost");
      assertThat(missing.exitCode()).isEqualTo(1);
      assertThat(missing.stderr()).contains("no such VM: ghost");
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) > 0) {
        synchronized (out) {
          out.write(buffer, 0, n);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private static String text(ByteArrayOutputStream out) {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
