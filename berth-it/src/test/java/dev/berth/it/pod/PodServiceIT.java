package dev.berth.it.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.pod.ContainerFilter;
import dev.berth.engine.pod.ContainerMetadata;
import dev.berth.engine.pod.DnsConfig;
import dev.berth.engine.pod.EnvVar;
import dev.berth.engine.pod.LinuxResources;
import dev.berth.engine.pod.ExecSyncResult;
import dev.berth.engine.pod.ExecSyncTimeout;
import dev.berth.engine.pod.PodPortMapping;
import dev.berth.engine.pod.NamespaceMode;
import dev.berth.engine.pod.NamespaceOptions;
import dev.berth.engine.pod.PodContainerEvent;
import dev.berth.engine.pod.PodContainerSpec;
import dev.berth.engine.pod.PodContainerState;
import dev.berth.engine.pod.PodContainerStatus;
import dev.berth.engine.pod.PodMetadata;
import dev.berth.engine.pod.PodService;
import dev.berth.engine.pod.SandboxFilter;
import dev.berth.engine.pod.SandboxLinux;
import dev.berth.engine.pod.SandboxSecurity;
import dev.berth.engine.pod.SandboxSpec;
import dev.berth.engine.pod.SandboxState;
import dev.berth.engine.pod.SandboxStatus;
import dev.berth.engine.pod.ContainerSecurity;
import dev.berth.testkit.Commands;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pods driven through {@link PodService} on a real engine: CNI networking, shared namespaces, CRI logs, restarts. */
@Tag("integration")
class PodServiceIT {
  @TempDir
  static Path dir;
  static PodHarness h;

  @BeforeAll
  static void start() throws IOException {
    h = PodHarness.start(dir);
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  /** What kubelet sends for a pod without shareProcessNamespace: no infra container (decision 2100). */
  private static final NamespaceOptions KUBELET = new NamespaceOptions(NamespaceMode.POD, NamespaceMode.CONTAINER,
      NamespaceMode.POD, "");

  private static PodService pods() {
    return h.engine.pods();
  }

  private static SandboxSpec sandbox(String name, NamespaceOptions ns) throws IOException {
    Path logs = Files.createDirectories(dir.resolve("logs").resolve(name));
    return new SandboxSpec(new PodMetadata(name, UUID.randomUUID().toString(), "default", 0), name + "-host",
        logs.toString(), new DnsConfig(List.of("10.0.0.10"), List.of("svc.cluster.local"), List.of("ndots:5")),
        List.of(), Map.of("app", name), Map.of("note", "a"),
        new SandboxLinux("", Map.of(), new SandboxSecurity(ns, OptionalLong.empty(), OptionalLong.empty(), false,
            List.of(), false, null, null)), "");
  }

  private static PodContainerSpec container(String name, NamespaceOptions ns, String... command) {
    return new PodContainerSpec(new ContainerMetadata(name, 0), h.busybox, List.of(command), List.of(), "",
        List.of(new EnvVar("GREETING", "hi")), List.of(), List.of(), Map.of("tier", name), Map.of("ann", "1"),
        name + ".log", false, false, false, null,
        new ContainerSecurity(null, null, false, ns, null, null, null, false, null, false, null, null, null, null));
  }

  private static String sh(String id, String script) {
    ExecSyncResult r = pods().execSync(id, List.of("sh", "-c", script), Duration.ofSeconds(20));
    assertThat(r.exitCode()).as("exec %s: %s", script, new String(r.stderr(), StandardCharsets.UTF_8)).isZero();
    return new String(r.stdout(), StandardCharsets.UTF_8).strip();
  }

  @Test
  void aContainerSharesTheSandboxNetworkHostnameAndDns() throws IOException {
    SandboxSpec spec = sandbox("web", KUBELET);
    long t0 = System.nanoTime();
    String sid = pods().runSandbox(spec);
    long t1 = System.nanoTime();
    SandboxStatus s = pods().sandboxStatus(sid);
    assertThat(s.state()).isEqualTo(SandboxState.READY);
    String subnetPrefix = h.podNetwork.subnet().substring(0, h.podNetwork.subnet().lastIndexOf('.') + 1);
    assertThat(s.ip()).startsWith(subnetPrefix);
    assertThat(s.labels()).isEqualTo(Map.of("app", "web"));
    assertThat(Files.list(h.podNetwork.confDir()).map(p -> p.getFileName().toString()))
        .containsExactly("10-berth-bridge.conflist");

    String cid = pods().createContainer(sid, container("app", KUBELET, "sleep", "3600"), spec);
    pods().startContainer(cid);
    long t2 = System.nanoTime();
    System.out.printf("pod up: runSandbox %d ms, create+start %d ms%n", (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    assertThat(sh(cid, "ip -4 addr show eth0")).contains("inet " + s.ip() + "/");
    assertThat(sh(cid, "hostname")).isEqualTo("web-host");
    assertThat(sh(cid, "echo $HOSTNAME; cat /etc/hostname")).isEqualTo("web-host\nweb-host");
    assertThat(sh(cid, "cat /etc/resolv.conf")).contains("nameserver 10.0.0.10").contains("search svc.cluster.local")
        .contains("options ndots:5");
    assertThat(sh(cid, "echo $GREETING")).isEqualTo("hi");

    PodContainerStatus st = pods().containerStatus(cid);
    assertThat(st.state()).isEqualTo(PodContainerState.RUNNING);
    assertThat(st.startedAt()).isPresent();
    assertThat(st.labels()).isEqualTo(Map.of("tier", "app")); // exactly kubelet's
    assertThat(st.annotations()).isEqualTo(Map.of("ann", "1"));
    // berth ps -a shows them as Berth containers with Kubernetes' labels
    var berth = h.engine.containers().find(cid);
    assertThat(berth.config().labels()).containsEntry("io.kubernetes.pod.name", "web")
        .containsEntry("io.kubernetes.pod.namespace", "default").containsEntry("io.kubernetes.container.name", "app")
        .containsEntry("tier", "app");
    // no infra container: the sandbox is its bound namespaces
    assertThat(h.engine.containers().list()).noneMatch(c -> c.id().equals(sid)
        || "POD".equals(c.config().labels().get("io.kubernetes.container.name")));

    assertThat(pods().listContainers(new ContainerFilter(Optional.empty(), Optional.empty(), Optional.of(sid),
        Map.of()))).extracting(c -> c.id()).containsExactly(cid);
    assertThat(pods().listSandboxes(new SandboxFilter(Optional.empty(), Optional.of(SandboxState.READY),
        Map.of("app", "web")))).extracting(p -> p.id()).containsExactly(sid);
    long t3 = System.nanoTime();
    pods().stopContainer(cid, Duration.ZERO);
    pods().removeContainer(cid);
    pods().stopSandbox(sid);
    pods().removeSandbox(sid);
    System.out.printf("pod down: stop+remove %d ms%n", (System.nanoTime() - t3) / 1_000_000);
    assertThatThrownBy(() -> pods().containerStatus(cid)).isInstanceOf(BerthException.NotFound.class);
  }

  @Test
  void logsAreWrittenInTheCriFormatAndExecReportsExitCodes() throws IOException {
    SandboxSpec spec = sandbox("logger", NamespaceOptions.DEFAULT);
    String sid = pods().runSandbox(spec);
    String cid = pods().createContainer(sid, container("talk", NamespaceOptions.DEFAULT, "sh", "-c",
        "echo out; echo err >&2; while :; do if [ -f /tmp/go ]; then rm /tmp/go; echo again; fi; sleep 0.1; done"), spec);
    pods().startContainer(cid);
    Path log = Path.of(spec.logDirectory(), "talk.log");
    assertThat(pods().containerStatus(cid).logPath()).isEqualTo(log.toString());
    assertThat(Poll.until(Duration.ofSeconds(10), () -> lines(log).size() >= 2)).as("log %s", log).isTrue();
    List<String> lines = lines(log);
    assertThat(lines).anySatisfy(l -> assertThat(l).endsWith(" stdout F out"))
        .anySatisfy(l -> assertThat(l).endsWith(" stderr F err"));
    for (String l : lines) {
      OffsetDateTime.parse(l.substring(0, l.indexOf(' '))); // RFC 3339 with nanoseconds
    }

    ExecSyncResult r = pods().execSync(cid, List.of("sh", "-c", "echo x; echo y >&2; exit 3"), Duration.ZERO);
    assertThat(new String(r.stdout(), StandardCharsets.UTF_8)).isEqualTo("x\n");
    assertThat(new String(r.stderr(), StandardCharsets.UTF_8)).isEqualTo("y\n");
    assertThat(r.exitCode()).isEqualTo(3);

    assertThatThrownBy(() -> pods().execSync(cid, List.of("sleep", "30"), Duration.ofSeconds(1)))
        .isInstanceOf(ExecSyncTimeout.class);

    // kubelet's rotation: rename the file, then ReopenContainerLog makes a new one
    Path rotated = log.resolveSibling("talk.log.1");
    Files.move(log, rotated);
    pods().reopenContainerLog(cid);
    assertThat(log).as("the new log, there when ReopenContainerLog returns (critest looks at once)").exists();
    int rotatedLines = lines(rotated).size();
    pods().execSync(cid, List.of("touch", "/tmp/go"), Duration.ofSeconds(10));
    assertThat(Poll.until(Duration.ofSeconds(10), () -> lines(log).stream().anyMatch(l -> l.endsWith(" stdout F again"))))
        .as("a new log at %s", log).isTrue();
    assertThat(lines(rotated)).as("the rotated log, no longer written").hasSize(rotatedLines);
    pods().removeSandbox(sid);
  }

  @Test
  void stopAndRemoveAreIdempotentAndExitsAreReported() throws Exception {
    SandboxSpec spec = sandbox("short", NamespaceOptions.DEFAULT);
    String sid = pods().runSandbox(spec);
    List<PodContainerEvent> seen = Collections.synchronizedList(new ArrayList<>());
    try (AutoCloseable sub = pods().subscribe(seen::add)) {
      String ok = pods().createContainer(sid, container("ok", NamespaceOptions.DEFAULT, "true"), spec);
      String bad = pods().createContainer(sid, container("bad", NamespaceOptions.DEFAULT, "sh", "-c", "exit 7"), spec);
      assertThat(pods().containerStatus(ok).state()).isEqualTo(PodContainerState.CREATED);
      pods().startContainer(ok);
      pods().startContainer(bad);
      assertThat(Poll.until(Duration.ofSeconds(10), () -> pods().containerStatus(ok).state() == PodContainerState.EXITED
          && pods().containerStatus(bad).state() == PodContainerState.EXITED)).isTrue();
      PodContainerStatus okStatus = pods().containerStatus(ok);
      assertThat(okStatus.exitCode()).isZero();
      assertThat(okStatus.reason()).isEqualTo("Completed");
      assertThat(okStatus.finishedAt()).isPresent();
      PodContainerStatus badStatus = pods().containerStatus(bad);
      assertThat(badStatus.exitCode()).isEqualTo(7);
      assertThat(badStatus.reason()).isEqualTo("Error");

      pods().stopContainer(ok, Duration.ofSeconds(1));
      pods().stopContainer(ok, Duration.ZERO);
      pods().stopContainer("0123456789abcdef", Duration.ZERO);
      pods().removeContainer(ok);
      pods().removeContainer(ok);
      pods().removeContainer("0123456789abcdef");
      assertThatThrownBy(() -> pods().containerStatus(ok)).isInstanceOf(BerthException.NotFound.class);
      assertThat(Poll.until(Duration.ofSeconds(5), () -> seen.stream().anyMatch(e -> e.containerId().equals(ok)
          && e.type() == PodContainerEvent.Type.DELETED))).isTrue();
      List<PodContainerEvent.Type> okEvents = seen.stream().filter(e -> e.containerId().equals(ok))
          .map(PodContainerEvent::type).toList();
      assertThat(okEvents).containsSubsequence(PodContainerEvent.Type.CREATED, PodContainerEvent.Type.STARTED,
          PodContainerEvent.Type.STOPPED, PodContainerEvent.Type.DELETED);
      assertThat(seen.stream().filter(e -> e.containerId().equals(ok))).allSatisfy(e -> {
        assertThat(e.sandbox()).as("%s carries the sandbox", e.type()).hasValueSatisfying(
            p -> assertThat(p.id()).isEqualTo(sid));
        assertThat(e.containers()).as("%s carries the pod's containers", e.type()).isNotEmpty();
      });
    }
    pods().stopSandbox(sid);
    assertThat(pods().sandboxStatus(sid).state()).isEqualTo(SandboxState.NOTREADY);
    assertThat(pods().sandboxStatus(sid).ip()).isEmpty();
    pods().stopSandbox(sid);
    pods().removeSandbox(sid);
    pods().removeSandbox(sid);
    pods().stopSandbox("0123456789abcdef");
    pods().removeSandbox("0123456789abcdef");
    assertThatThrownBy(() -> pods().sandboxStatus(sid)).isInstanceOf(BerthException.NotFound.class);
    assertThat(h.engine.containers().list()).noneMatch(c -> c.id().equals(sid));
    assertThat(Files.exists(h.dir.resolve("exec/pods/netns").resolve(sid))).isFalse();
  }

  @Test
  void pidNamespacePerPodOrPerContainer() throws IOException {
    SandboxSpec spec = sandbox("pids", NamespaceOptions.DEFAULT);
    String sid = pods().runSandbox(spec);
    String shared = pods().createContainer(sid, container("shared", NamespaceOptions.DEFAULT, "sleep", "3600"), spec);
    String own = pods().createContainer(sid, container("own", new NamespaceOptions(NamespaceMode.POD,
        NamespaceMode.CONTAINER, NamespaceMode.POD, ""), "sleep", "3600"), spec);
    pods().startContainer(shared);
    pods().startContainer(own);
    // POD: the infra's catatonit is PID 1 and the other containers' processes are visible
    assertThat(sh(shared, "cat /proc/1/cmdline | tr '\\0' ' '")).contains("catatonit");
    assertThat(sh(own, "cat /proc/1/cmdline | tr '\\0' ' '")).startsWith("sleep 3600");
    pods().removeSandbox(sid);
  }

  @Test
  void aPodWithoutAnInfraContainerSharesItsNamespacesAndFreesThemAtStop() throws IOException {
    SandboxSpec base = sandbox("pinned", KUBELET);
    SandboxSpec spec = new SandboxSpec(base.metadata(), base.hostname(), base.logDirectory(), base.dns(), List.of(),
        base.labels(), base.annotations(), new SandboxLinux("", Map.of("kernel.shm_rmid_forced", "1",
            "net.ipv4.ip_unprivileged_port_start", "80"), base.linux().security()), "");
    String sid = pods().runSandbox(spec);
    String a = pods().createContainer(sid, container("a", KUBELET, "sh", "-c",
        "echo shared > /dev/shm/note; while :; do echo pong | nc -l -p 7000; done"), spec);
    String b = pods().createContainer(sid, container("b", KUBELET, "sleep", "3600"), spec);
    pods().startContainer(a);
    pods().startContainer(b);
    // one network (localhost reaches the other container), one IPC namespace and /dev/shm, one hostname
    assertThat(Poll.until(Duration.ofSeconds(10), () -> sh(b, "nc 127.0.0.1 7000 < /dev/null || true")
        .equals("pong"))).isTrue();
    assertThat(sh(b, "cat /dev/shm/note")).isEqualTo("shared");
    String namespaces = "for n in ipc net uts; do readlink /proc/self/ns/$n; done";
    assertThat(sh(a, namespaces)).isEqualTo(sh(b, namespaces));
    assertThat(sh(b, "hostname")).isEqualTo("pinned-host");
    assertThat(sh(b, "cat /proc/sys/kernel/shm_rmid_forced /proc/sys/net/ipv4/ip_unprivileged_port_start"))
        .isEqualTo("1\n80");
    // each its own PID namespace: no pause process
    assertThat(sh(b, "cat /proc/1/cmdline | tr '\\0' ' '")).startsWith("sleep 3600");
    assertThat(pods().stats().sandbox(sid).processCount()).isPositive();
    assertThat(pods().stats().sandbox(sid).interfaces()).extracting(i -> i.name()).contains("eth0");

    pods().stopSandbox(sid);
    assertThat(pods().sandboxStatus(sid).state()).isEqualTo(SandboxState.NOTREADY);
    assertThat(pods().sandboxStatus(sid).ip()).isEmpty();
    assertThat(pods().containerStatus(a).state()).isEqualTo(PodContainerState.EXITED);
    // the namespaces and /dev/shm are freed right after the answer, on a thread of their own (decision 3200)
    for (String kind : List.of("netns", "ipcns", "utsns", "shm")) {
      Path file = h.dir.resolve("exec/pods").resolve(kind).resolve(sid);
      assertThat(Poll.until(Duration.ofSeconds(10), () -> !Files.exists(file))).as(kind).isTrue();
    }
    pods().stopSandbox(sid); // idempotent
    pods().removeSandbox(sid);
    assertThat(pods().listSandboxes(SandboxFilter.ALL)).noneMatch(p -> p.id().equals(sid));
    assertThat(h.engine.containers().list()).noneMatch(c -> c.id().equals(a) || c.id().equals(b));
    assertThatThrownBy(() -> pods().sandboxStatus(sid)).isInstanceOf(BerthException.NotFound.class);
  }

  @Test
  void podsSurviveAnEngineRestart() throws IOException {
    SandboxSpec spec = sandbox("durable", KUBELET);
    String sid = pods().runSandbox(spec);
    String ip = pods().sandboxStatus(sid).ip();
    String cid = pods().createContainer(sid, container("keep", KUBELET, "sleep", "3600"), spec);
    pods().startContainer(cid);

    h.restart();

    SandboxStatus s = pods().sandboxStatus(sid);
    assertThat(s.state()).isEqualTo(SandboxState.READY);
    assertThat(s.ip()).isEqualTo(ip);
    assertThat(s.labels()).isEqualTo(Map.of("app", "durable"));
    assertThat(pods().containerStatus(cid).state()).isEqualTo(PodContainerState.RUNNING);
    assertThat(pods().containerStatus(cid).labels()).isEqualTo(Map.of("tier", "keep"));
    assertThat(sh(cid, "ip -4 addr show eth0")).contains("inet " + ip + "/");
    pods().stopSandbox(sid);
    assertThat(pods().containerStatus(cid).state()).isEqualTo(PodContainerState.EXITED);
    pods().removeSandbox(sid);
    assertThat(pods().listSandboxes(SandboxFilter.ALL)).noneMatch(p -> p.id().equals(sid));
  }

  @Test
  void aStopCutBeforeItsTeardownIsFinishedWhenTheEngineOpensAgain() throws IOException {
    SandboxSpec spec = sandbox("cut", KUBELET);
    String sid = pods().runSandbox(spec);
    Path netns = h.dir.resolve("exec/pods/netns").resolve(sid);
    assertThat(netns).exists();
    // what berthd leaves when it dies between a StopPodSandbox's answer and the teardown after it:
    // the record stopped with its network still up (decision 3200)
    Path record = h.dir.resolve("data/pods/sandboxes").resolve(sid + ".json");
    String json = Files.readString(record);
    assertThat(json).contains("\"stopped\":false").contains("\"networkUp\":true");
    Files.writeString(record, json.replace("\"stopped\":false", "\"stopped\":true"));

    h.restart();

    assertThat(pods().sandboxStatus(sid).state()).isEqualTo(SandboxState.NOTREADY);
    assertThat(pods().sandboxStatus(sid).ip()).isEmpty();
    for (String kind : List.of("netns", "ipcns", "utsns", "shm")) {
      assertThat(h.dir.resolve("exec/pods").resolve(kind).resolve(sid)).as(kind).doesNotExist();
    }
    pods().removeSandbox(sid);
    assertThat(pods().listSandboxes(SandboxFilter.ALL)).noneMatch(p -> p.id().equals(sid));
  }

  /** conmon supervising container {@code id}, if one runs. */
  private static Optional<ProcessHandle> conmonOf(String id) {
    return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
        .map(cmd -> cmd.contains("conmon") && cmd.contains(" -c " + id + " ")).orElse(false)).findFirst();
  }

  @Test
  void aContainerIsCreatedInTheRuntimeAheadOfItsStartAndDroppedWhenItWillNotStart() throws IOException {
    SandboxSpec spec = sandbox("ahead", KUBELET);
    String sid = pods().runSandbox(spec);

    // created ahead: conmon and runc create run after CreateContainer, before StartContainer (decision 2800)
    String started = pods().createContainer(sid, container("first", KUBELET, "sh", "-c", "echo up; sleep 3600"), spec);
    assertThat(Poll.until(Duration.ofSeconds(20), () -> conmonOf(started).isPresent())).as("conmon ahead").isTrue();
    assertThat(pods().containerStatus(started).state()).isEqualTo(PodContainerState.CREATED);
    long conmonAhead = conmonOf(started).orElseThrow().pid();
    pods().startContainer(started);
    assertThat(pods().containerStatus(started).state()).isEqualTo(PodContainerState.RUNNING);
    assertThat(conmonOf(started).map(ProcessHandle::pid)).as("the start used the create made ahead")
        .contains(conmonAhead);
    Path log = Path.of(spec.logDirectory(), "first.log");
    assertThat(Poll.until(Duration.ofSeconds(10), () -> lines(log).stream().anyMatch(l -> l.endsWith(" stdout F up"))))
        .isTrue();

    // removed without a start: nothing of the runtime is left
    String removed = pods().createContainer(sid, container("never", KUBELET, "sleep", "3600"), spec);
    assertThat(Poll.until(Duration.ofSeconds(20), () -> conmonOf(removed).isPresent())).isTrue();
    pods().removeContainer(removed);
    assertThat(Poll.until(Duration.ofSeconds(10), () -> conmonOf(removed).isEmpty())).as("conmon gone").isTrue();

    // new limits before the start: the create ahead is dropped and the start uses them
    String updated = pods().createContainer(sid, container("resized", KUBELET, "sleep", "3600"), spec);
    assertThat(Poll.until(Duration.ofSeconds(20), () -> conmonOf(updated).isPresent())).isTrue();
    pods().updateContainerResources(updated, new LinuxResources(0, 0, 0, 48L << 20, 0, "", "", List.of(), Map.of(), 0),
        Map.of());
    assertThat(conmonOf(updated)).as("the create ahead with the old limits").isEmpty();
    pods().startContainer(updated);
    assertThat(sh(updated, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes")).isEqualTo(String.valueOf(48L << 20));

    // a create that fails ahead fails the start with the runtime's reason, and leaves nothing
    String broken = pods().createContainer(sid, container("broken", KUBELET, "/no/such/binary"), spec);
    assertThatThrownBy(() -> pods().startContainer(broken)).hasMessageContaining("/no/such/binary");
    assertThat(pods().containerStatus(broken).state()).isEqualTo(PodContainerState.EXITED);
    assertThat(conmonOf(broken)).isEmpty();

    // berthd stopped between create and start: the create ahead is dropped at open, the start works
    String crossed = pods().createContainer(sid, container("crossed", KUBELET, "sleep", "3600"), spec);
    assertThat(Poll.until(Duration.ofSeconds(20), () -> conmonOf(crossed).isPresent())).isTrue();
    h.restart();
    assertThat(conmonOf(crossed)).as("dropped at open").isEmpty();
    pods().startContainer(crossed);
    assertThat(pods().containerStatus(crossed).state()).isEqualTo(PodContainerState.RUNNING);
    assertThat(sh(crossed, "echo ok")).isEqualTo("ok");
    pods().removeSandbox(sid);
    assertThat(conmonOf(crossed)).isEmpty();
  }

  @Test
  void aHostPortReachesTheSandboxThroughPortmap() throws Exception {
    int hostPort;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      hostPort = free.getLocalPort();
    }
    SandboxSpec base = sandbox("served", KUBELET);
    SandboxSpec spec = new SandboxSpec(base.metadata(), base.hostname(), base.logDirectory(), base.dns(),
        List.of(new PodPortMapping(PodPortMapping.Protocol.TCP, 8080, hostPort, "127.0.0.1")), base.labels(),
        base.annotations(), base.linux(), "");
    String sid = pods().runSandbox(spec);
    String cid = pods().createContainer(sid, container("srv", KUBELET, "sh", "-c",
        "while :; do echo hello | nc -l -p 8080; done"), spec);
    pods().startContainer(cid);
    int port = hostPort;
    assertThat(Poll.until(Duration.ofSeconds(10), () -> "hello".equals(readLine(port)))).as("127.0.0.1:%d", port)
        .isTrue();
    String dport = "--dport " + port + " ";
    assertThat(natRules()).contains(dport);
    // a host port is the host's: portmap's rules are gone when the stop answers (decision 3200), not later
    pods().stopSandbox(sid);
    assertThat(natRules()).doesNotContain(dport);
    pods().removeSandbox(sid);
    assertThat(Poll.until(Duration.ofSeconds(5), () -> readLine(port) == null)).as("the port is closed again").isTrue();
  }

  private static String natRules() {
    ProcessResult r = Commands.run(List.of("iptables", "-w", "-t", "nat", "-S"), Duration.ofSeconds(30));
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    return r.stdout().replace("\n", " \n");
  }

  @Test
  void aSandboxOnTheHostsNetwork() throws IOException {
    SandboxSpec spec = sandbox("hostnet", new NamespaceOptions(NamespaceMode.NODE, NamespaceMode.CONTAINER,
        NamespaceMode.POD, ""));
    String sid = pods().runSandbox(spec);
    assertThat(pods().sandboxStatus(sid).state()).isEqualTo(SandboxState.READY);
    assertThat(pods().sandboxStatus(sid).ip()).isEmpty();
    String cid = pods().createContainer(sid, container("h", NamespaceOptions.DEFAULT, "sleep", "3600"), spec);
    pods().startContainer(cid);
    String hostName = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    assertThat(sh(cid, "hostname")).isEqualTo(hostName);
    String defaultRoute = Files.readAllLines(Path.of("/proc/net/route")).stream().skip(1)
        .map(l -> l.split("\\s+")).filter(f -> f[1].equals("00000000")).map(f -> f[0]).findFirst().orElseThrow();
    assertThat(sh(cid, "ls /sys/class/net").split("\\s+")).contains(defaultRoute); // the host's interfaces
    pods().removeSandbox(sid);
  }

  @Test
  void securityContextSysctlsResourcesAndCgroupParentReachTheProcess() throws IOException {
    String parent = "/berthit" + Integer.toHexString(dir.toString().hashCode() & 0xfffffff) + "/pod1";
    SandboxSpec base = sandbox("secure", NamespaceOptions.DEFAULT);
    SandboxSpec spec = new SandboxSpec(base.metadata(), base.hostname(), base.logDirectory(), base.dns(), List.of(),
        base.labels(), base.annotations(), new SandboxLinux(parent, Map.of("kernel.shm_rmid_forced", "1",
            "net.ipv4.ip_unprivileged_port_start", "80"), base.linux().security()), "");
    try {
      String sid = pods().runSandbox(spec);
      ContainerSecurity sec = new ContainerSecurity(List.of(), List.of("ALL"), false, NamespaceOptions.DEFAULT,
          OptionalLong.of(1000), OptionalLong.of(2000), "", true, List.of(3000L), true, List.of("/proc/cpuinfo"),
          List.of("/proc/sys"), null, null);
      PodContainerSpec c = container("locked", NamespaceOptions.DEFAULT, "sleep", "3600");
      PodContainerSpec locked = new PodContainerSpec(c.metadata(), c.image(), c.command(), c.args(), c.workingDir(),
          c.envs(), c.mounts(), c.devices(), c.labels(), c.annotations(), c.logPath(), false, false, false,
          new LinuxResources(100_000, 50_000, 512, 64L << 20, 500, "", "", List.of(), Map.of(), 0), sec);
      String cid = pods().createContainer(sid, locked, spec);
      pods().startContainer(cid);
      assertThat(sh(cid, "id -u; id -g; id -G")).isEqualTo("1000\n2000\n2000 3000");
      assertThat(sh(cid, "touch /x 2>&1; echo $?")).endsWith("1"); // read-only root
      assertThat(sh(cid, "wc -c < /proc/cpuinfo")).isEqualTo("0"); // masked
      assertThat(sh(cid, "grep -E '^(NoNewPrivs|CapEff)' /proc/self/status | tr -s '\t ' ' '"))
          .isEqualTo("CapEff: 0000000000000000\nNoNewPrivs: 1");
      assertThat(sh(cid, "cat /proc/sys/kernel/shm_rmid_forced /proc/sys/net/ipv4/ip_unprivileged_port_start"))
          .isEqualTo("1\n80");
      assertThat(sh(cid, "cat /proc/self/oom_score_adj")).isEqualTo("500");
      Path memory = Path.of("/sys/fs/cgroup/memory" + parent + "/berth-" + cid);
      assertThat(Files.readString(memory.resolve("memory.limit_in_bytes")).strip()).isEqualTo(String.valueOf(64L << 20));
      Path cpu = Path.of("/sys/fs/cgroup/cpu" + parent + "/berth-" + cid);
      assertThat(Files.readString(cpu.resolve("cpu.shares")).strip()).isEqualTo("512");
      assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).strip()).isEqualTo("50000");
      assertThat(Files.isDirectory(Path.of("/sys/fs/cgroup/memory" + parent + "/berth-" + sid))).isTrue();

      pods().updateContainerResources(cid, new LinuxResources(0, 0, 0, 128L << 20, 0, "", "", List.of(), Map.of(),
          0), Map.of());
      assertThat(Files.readString(memory.resolve("memory.limit_in_bytes")).strip())
          .isEqualTo(String.valueOf(128L << 20));
      assertThat(pods().containerStatus(cid).resources().memoryLimitBytes()).isEqualTo(128L << 20);
      assertThat(pods().stats().container(cid).memoryUsageBytes()).isPositive();
      pods().removeSandbox(sid);
    } finally {
      // runc leaves the parents it made: the test removes its own under every hierarchy
      try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
        for (Path h : hierarchies.toList()) {
          Path p = h.resolve(parent.substring(1));
          if (!Files.isSymbolicLink(h) && Files.isDirectory(p)) {
            Files.deleteIfExists(p);
            Files.deleteIfExists(p.getParent());
          }
        }
      }
    }
  }

  @Test
  void aSandboxWhoseNetworkFailsLeavesNothingAndNetworkReadySaysWhy() throws IOException {
    pods().conditions(); // Berth's conflist is in place
    Path broken = h.podNetwork.confDir().resolve("00-broken.conflist");
    Files.writeString(broken, """
        {"cniVersion": "1.0.0", "name": "broken", "plugins": [{"type": "no-such-plugin"}]}
        """);
    try {
      assertThat(pods().conditions()).anySatisfy(c -> {
        assertThat(c.type()).isEqualTo("NetworkReady");
        assertThat(c.status()).isFalse();
        assertThat(c.message()).contains("no-such-plugin");
      });
      int before = h.engine.containers().list().size();
      assertThatThrownBy(() -> pods().runSandbox(sandbox("unwired", NamespaceOptions.DEFAULT)))
          .isInstanceOf(BerthException.Unavailable.class).hasMessageContaining("no-such-plugin");
      assertThatThrownBy(() -> pods().runSandbox(sandbox("unwired2", KUBELET)))
          .isInstanceOf(BerthException.Unavailable.class).hasMessageContaining("no-such-plugin");
      assertThat(pods().listSandboxes(SandboxFilter.ALL)).noneMatch(p -> p.metadata().name().equals("unwired2"));
      for (String kind : List.of("ipcns", "utsns", "shm")) {
        Path d = h.dir.resolve("exec/pods").resolve(kind);
        if (Files.isDirectory(d)) {
          try (var left = Files.list(d)) {
            assertThat(left.toList()).as(kind).isEmpty();
          }
        }
      }
      assertThat(h.engine.containers().list()).hasSize(before);
      assertThat(pods().listSandboxes(SandboxFilter.ALL)).noneMatch(p -> p.metadata().name().equals("unwired"));
      Path netns = h.dir.resolve("exec/pods/netns");
      if (Files.isDirectory(netns)) {
        try (var left = Files.list(netns)) {
          assertThat(left.toList()).as("network namespace files").isEmpty();
        }
      }
    } finally {
      Files.delete(broken);
    }
    assertThat(pods().conditions()).allSatisfy(c -> assertThat(c.status()).as(c.type()).isTrue());
    assertThatThrownBy(() -> pods().createContainer("0123456789abcdef", container("x", NamespaceOptions.DEFAULT,
        "true"), sandbox("none", NamespaceOptions.DEFAULT))).isInstanceOf(BerthException.NotFound.class);
  }

  /** One line from a TCP server at 127.0.0.1:port, or null when nothing answers. */
  private static String readLine(int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 1000);
      s.setSoTimeout(2000);
      return new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
    } catch (IOException e) {
      return null;
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }
}
