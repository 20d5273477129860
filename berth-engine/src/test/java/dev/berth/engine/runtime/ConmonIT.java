package dev.berth.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.runtime.spec.Capabilities;
import dev.berth.engine.runtime.spec.ProcessSpec;
import dev.berth.engine.runtime.spec.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Real runc + conmon with a busybox rootfs. Needs root. */
@Tag("integration")
class ConmonIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private RuntimeHarness h;

  @BeforeEach
  void setUp() throws Exception {
    h = new RuntimeHarness();
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void echoHiLandsInConmonsLog() {
    String id = h.newId();
    ContainerProcess c = h.run(id, h.spec(id, "echo", "hi"));

    assertThat(c.waitExit(WAIT)).hasValue(0);
    List<LogEntry> log = K8sFileLog.read(h.logPath(id));
    assertThat(K8sFileLog.text(log, LogEntry.Stream.STDOUT)).isEqualTo("hi\n");
  }

  @Test
  void exitCodeComesFromTheExitFile() {
    String id = h.newId();
    ContainerProcess c = h.run(id, h.spec(id, "sh", "-c", "exit 3"));

    assertThat(c.waitExit(WAIT)).hasValue(3);
    assertThat(Files.exists(c.paths().exitFile())).isTrue();
  }

  @Test
  void sigtermEndsALongRunningProcessWith143AndConmonLeaves() {
    String id = h.newId();
    // PID 1 ignores signals it has no handler for, so sleep runs under tini (as docker --init).
    ContainerProcess c = h.run(id, h.spec(id, "/sbin/tini", "--", "sleep", "1000"));
    assertThat(c.waitExit(Duration.ofMillis(200))).isEmpty();

    c.kill(15);

    assertThat(c.waitExit(WAIT)).hasValue(143);
    assertThat(Poll.until(WAIT, () -> !c.conmonRunning())).isTrue();
  }

  @Test
  void effectiveCapabilitiesAreDockersDefaultSet() {
    String id = h.newId();
    ContainerProcess c = h.run(id, h.spec(id, "grep", "^CapEff:", "/proc/self/status"));

    assertThat(c.waitExit(WAIT)).hasValue(0);
    // CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, FSETID 4, KILL 5, SETGID 6, SETUID 7, SETPCAP 8,
    // NET_BIND_SERVICE 10, NET_RAW 13, SYS_CHROOT 18, MKNOD 27, AUDIT_WRITE 29, SETFCAP 31
    long mask = 0;
    for (int cap : new int[] {0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31}) {
      mask |= 1L << cap;
    }
    String out = K8sFileLog.text(K8sFileLog.read(h.logPath(id)), LogEntry.Stream.STDOUT);
    assertThat(out.strip()).isEqualTo("CapEff:\t" + String.format("%016x", mask));
  }

  @Test
  void mountingATmpfsIsNotPermitted() {
    String id = h.newId();
    ContainerProcess c = h.run(id, h.spec(id, "mount", "-t", "tmpfs", "none", "/mnt"));

    OptionalInt code = c.waitExit(WAIT);
    assertThat(code).isPresent();
    assertThat(code.getAsInt()).isNotZero();
    String err = K8sFileLog.text(K8sFileLog.read(h.logPath(id)), LogEntry.Stream.STDERR);
    assertThat(err).containsIgnoringCase("permission denied");
  }

  @Test
  void maskedProcFilesReadAsDevNullAndMaskedDirsAsEmpty() {
    String id = h.newId();
    // /proc/kcore only exists with CONFIG_PROC_KCORE (not on every kernel); /proc/keys and
    // /proc/timer_list are masked the same way and exist here.
    ContainerProcess c =
        h.run(
            id,
            h.spec(
                id,
                "sh",
                "-c",
                "for f in /proc/kcore /proc/keys /proc/timer_list; do"
                    + " if [ -e $f ]; then echo \"$f $(stat -c '%F %t:%T' $f) $(wc -c < $f)\"; fi; done;"
                    + " echo \"acpi $(ls -A /proc/acpi | wc -l)\""));

    assertThat(c.waitExit(WAIT)).hasValue(0);
    String out = K8sFileLog.text(K8sFileLog.read(h.logPath(id)), LogEntry.Stream.STDOUT);
    List<String> expected = new java.util.ArrayList<>();
    if (Files.exists(Path.of("/proc/kcore"))) {
      expected.add("/proc/kcore character special file 1:3 0");
    }
    expected.add("/proc/keys character special file 1:3 0");
    expected.add("/proc/timer_list character special file 1:3 0");
    expected.add("acpi 0");
    assertThat(out.lines().toList()).containsExactlyElementsOf(expected);
  }

  @Test
  void execReturnsOutputAndExitCode() {
    String id = h.newId();
    ContainerProcess c = h.run(id, h.spec(id, "sleep", "1000"));

    ExecResult result =
        c.exec(
            process("sh", "-c", "echo out; echo err >&2; exit 7"), WAIT);

    assertThat(result).isEqualTo(new ExecResult(7, "out\n", "err\n"));
    assertThat(c.exitCode()).isEmpty();
  }

  @Test
  void memoryLimitIsWrittenToTheV1Cgroup() throws Exception {
    String id = h.newId();
    ContainerProcess c = h.create(id, h.spec(id, "sleep", "1000").memoryLimit(32L * 1024 * 1024));

    // Limits are applied at create; the cgroup stays until delete, whatever the process does.
    Path cgroup = cgroupDir(c.pid(), "memory");
    assertThat(cgroup).isEqualTo(Path.of("/sys/fs/cgroup/memory", h.cgroupParent, id));
    assertThat(Files.readString(cgroup.resolve("memory.limit_in_bytes")).strip()).isEqualTo("33554432");
  }

  @Test
  void pidsLimitIsWrittenAndHonoured() throws Exception {
    String id = h.newId();
    ContainerProcess c =
        h.create(
            id,
            h.spec(id, "sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 1000 & done; echo forked; wait")
                .pidsLimit(4));
    assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids", h.cgroupParent, id, "pids.max")).strip())
        .isEqualTo("4");

    c.start();

    boolean refused =
        Poll.until(
            WAIT,
            () -> K8sFileLog.text(K8sFileLog.read(h.logPath(id)), LogEntry.Stream.STDERR).contains("fork"));
    assertThat(refused).as("the shell reports a failed fork").isTrue();
  }

  @Test
  void pauseResumeAndPsGoThroughTheRuntime() {
    String id = h.newId();
    ContainerProcess c = h.run(id, h.spec(id, "sleep", "1000"));

    assertThat(h.runc.ps(id)).contains(c.pid());
    h.runc.pause(id);
    assertThat(c.state().status()).isEqualTo("paused");
    h.runc.resume(id);
    assertThat(c.state().status()).isEqualTo("running");
    assertThat(c.state().pid()).isEqualTo(c.pid());
  }

  @Test
  void conmonIsNotOurChildAndSurvivesTheHandle() {
    String id = h.newId();
    ContainerProcess c = h.run(id, h.spec(id, "sleep", "1000"));
    int conmonPid = c.conmonPid();
    c = null; // the handle holds no resources; conmon must not depend on it

    Pids.Stat stat = Pids.stat(conmonPid).orElseThrow();
    long self = ProcessHandle.current().pid();
    assertThat(stat.ppid()).isNotEqualTo((int) self);
    assertThat(stat.session()).as("conmon leads its own session").isEqualTo(conmonPid);
    assertThat(ProcessHandle.current().descendants().map(ProcessHandle::pid)).doesNotContain((long) conmonPid);

    ContainerProcess again = h.conmon.reattach(id);
    assertThat(again.conmonPid()).isEqualTo(conmonPid);
    assertThat(again.conmonRunning()).isTrue();
    assertThat(again.state().status()).isEqualTo("running");
  }

  @Test
  void aFailedCreateReportsTheRuntimesReason() {
    String id = h.newId();
    Throwable error =
        org.assertj.core.api.Assertions.catchThrowable(() -> h.create(id, h.spec(id, "/no/such/binary")));

    assertThat(error).hasMessageContaining("runc could not create container").hasMessageContaining("/no/such/binary");
    assertThat(h.conmon.paths(id).dir()).as("a failed create leaves no conmon files").doesNotExist();
  }

  @Test
  void dockersSeccompProfileIsInstalledAsAFilter() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.exists(DockerSeccompProfile.CONTAINERS_COMMON), "containers-common's seccomp.json is not installed");
    var seccomp =
        DockerSeccompProfile.installedDefault().orElseThrow()
            .toOci(System.getProperty("os.arch"), SpecDefaults.CAPABILITIES, System.getProperty("os.version"));
    // containers-common's profile is more permissive than moby's (unshare, mount, keyctl are
    // allowed), so the observable here is the filter itself; the rule resolution is unit-tested.
    String script = "grep ^Seccomp /proc/self/status";
    String without = h.newId();
    String with = h.newId();

    ContainerProcess open = h.run(without, h.spec(without, "sh", "-c", script));
    ContainerProcess filtered = h.run(with, h.spec(with, "sh", "-c", script).seccomp(seccomp));

    assertThat(open.waitExit(WAIT)).hasValue(0);
    assertThat(filtered.waitExit(WAIT)).hasValue(0);
    assertThat(K8sFileLog.text(K8sFileLog.read(h.logPath(without)), LogEntry.Stream.STDOUT))
        .isEqualTo("Seccomp:\t0\nSeccomp_filters:\t0\n");
    assertThat(K8sFileLog.text(K8sFileLog.read(h.logPath(with)), LogEntry.Stream.STDOUT))
        .isEqualTo("Seccomp:\t2\nSeccomp_filters:\t1\n");
  }

  @Test
  void attachStreamsOutputAndFeedsStdin() throws Exception {
    String id = h.newId();
    ContainerProcess c =
        h.create(id, h.spec(id, "sh", "-c", "echo ready; read line; echo \"got: $line\"; echo bye >&2"), false, true);

    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    try (AttachSession attach = c.attach()) {
      c.start();
      attach.writeStdin("hello\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      readAll(attach, out, err);
    }

    assertThat(out.toString()).isEqualTo("ready\ngot: hello\n");
    assertThat(err.toString()).isEqualTo("bye\n");
    assertThat(c.waitExit(WAIT)).hasValue(0);
  }

  @Test
  void terminalContainersCanBeResized() throws Exception {
    String id = h.newId();
    ContainerProcess c = h.create(id, h.spec(id, "sh", "-c", "read go; stty size"), true, true);

    StringBuilder out = new StringBuilder();
    try (AttachSession attach = c.attach()) {
      c.start();
      c.resize(30, 100);
      attach.writeStdin("go\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      readAll(attach, out, new StringBuilder());
    }

    assertThat(out.toString()).contains("30 100");
    assertThat(c.waitExit(WAIT)).hasValue(0);
  }

  /** Reads frames until conmon closes the stream, on a platform thread with a deadline. */
  private static void readAll(AttachSession attach, StringBuilder out, StringBuilder err) throws Exception {
    Thread reader =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    for (AttachSession.Frame f = attach.read(); f != null; f = attach.read()) {
                      String text = new String(f.data(), java.nio.charset.StandardCharsets.UTF_8);
                      (f.stream() == LogEntry.Stream.STDOUT ? out : err).append(text);
                    }
                  } catch (java.io.IOException e) {
                    err.append("read failed: ").append(e.getMessage());
                  }
                });
    if (!reader.join(WAIT)) {
      attach.close(); // wakes the reader
      reader.join();
    }
  }

  private static ProcessSpec process(String... args) {
    return new ProcessSpec(
        false,
        null,
        User.ROOT,
        List.of(args),
        List.of(SpecDefaults.PATH_ENV),
        "/",
        Capabilities.same(SpecDefaults.CAPABILITIES),
        null,
        false,
        null,
        null);
  }

  /** The v1 controller directory of {@code pid}, from /proc/PID/cgroup. */
  private static Path cgroupDir(int pid, String controller) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "cgroup"))) {
      String[] parts = line.split(":", 3);
      if (List.of(parts[1].split(",")).contains(controller)) {
        return Path.of("/sys/fs/cgroup", controller, parts[2]);
      }
    }
    throw new AssertionError("no " + controller + " cgroup for pid " + pid);
  }
}
