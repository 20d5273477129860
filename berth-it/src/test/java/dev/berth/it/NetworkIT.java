package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.Commands;
import dev.berth.testkit.HostNetwork;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Networks through a real berthd, CNI plugins, runc and iptables: published ports from the
 * host's loopback, names and aliases on a user network, isolation between networks, a crash of
 * berthd, and nothing left on the host afterwards. Traffic goes only to 127.0.0.1 and to the
 * containers' own addresses. The daemon has a bridge, subnets and chains of its own
 * ({@link HostNetwork}), removed at the end even when a test fails.
 */
@Tag("integration")
class NetworkIT extends BusyboxDaemonTest {
  /** busybox httpd serving one file; the image has no /www of its own. */
  private static final String HTTPD = "mkdir -p /www && echo hello-from-$HOSTNAME > /www/index.html"
      + " && exec httpd -f -p 80 -h /www";

  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Runs before the base class's stop, so it stops the daemon itself (closing twice is harmless). */
  @AfterAll
  static void stopAndRemoveNetworks() {
    if (env != null) {
      removeAll();
      env.close();
    }
    // After a failed test: the daemon's networks' bridges and its chains must not outlive the class.
    HostNetwork net = HostNetwork.forDaemon(dir.resolve("berthd/data"));
    net.cleanUp();
    Commands.run(List.of("ip", "-o", "link", "show", "type", "bridge"), Duration.ofSeconds(10)).stdout().lines()
        .map(l -> l.split(": ")[1].split("@")[0])
        .filter(userBridges::contains)
        .forEach(b -> Commands.run(List.of("ip", "link", "delete", b), Duration.ofSeconds(10)));
  }

  /** Bridges of the networks the tests created (br-<id12>), deleted at the end if a test left them. */
  static final List<String> userBridges = new java.util.concurrent.CopyOnWriteArrayList<>();

  @AfterEach
  void removeContainersAndNetworks() {
    removeAll();
  }

  private static void removeAll() {
    env.removeAllContainers();
    for (String n : berth("network", "ls", "--filter", "type=custom", "-q").stdout().lines()
        .filter(l -> !l.isBlank()).toList()) {
      berth("network", "rm", n);
    }
  }

  private static String network(String name, String... flags) {
    List<String> args = new java.util.ArrayList<>(List.of("network", "create"));
    args.addAll(List.of(flags));
    args.add(name);
    String id = ok(berth(args.toArray(String[]::new))).stdout().strip();
    userBridges.add("br-" + id.substring(0, 12));
    return id;
  }

  private static String get(int port) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body().strip();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** An HTTP GET from inside a new container on {@code network} (busybox wget crashes in a bare rootfs). */
  private static ProcessResult fetchFrom(String network, String host) {
    return berth("run", "--rm", "--network", network, image, "sh", "-c",
        "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 " + host + " 80");
  }

  @Test
  void publishedPortsAnswerOnLoopbackAndAChosenPortIsReported() throws Exception {
    int port = freePort();
    ok(berth("run", "-d", "--name", "web1", "-p", "127.0.0.1:" + port + ":80", image, "sh", "-c", HTTPD));
    ok(berth("run", "-d", "--name", "web2", "-p", "80", image, "sh", "-c", HTTPD));

    assertThat(Poll.until(Duration.ofSeconds(10), () -> answers(port))).isTrue();
    assertThat(get(port)).startsWith("200 hello-from-");

    String mapping = ok(berth("port", "web2", "80")).stdout().strip();
    assertThat(mapping).matches("0\\.0\\.0\\.0:\\d+");
    int chosen = Integer.parseInt(mapping.substring(mapping.indexOf(':') + 1));
    assertThat(ok(berth("inspect", "-f", "{{json .NetworkSettings.Ports}}", "web2")).stdout().strip())
        .isEqualTo("{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"" + chosen + "\"}]}");
    assertThat(Poll.until(Duration.ofSeconds(10), () -> answers(chosen))).isTrue();
    assertThat(ok(berth("ps", "--format", "{{.Names}} {{.Ports}}")).stdout())
        .contains("web1 127.0.0.1:" + port + "->80/tcp").contains("web2 0.0.0.0:" + chosen + "->80/tcp");
    // The container has an address of the default bridge, shown by inspect.
    assertThat(ok(berth("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "web1")).stdout().strip())
        .startsWith(daemon.network().bip().substring(0, daemon.network().bip().lastIndexOf('.')));
  }

  private static boolean answers(int port) {
    try {
      return get(port).startsWith("200");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void aTakenHostPortIsAClearErrorAndLeavesNothingWired() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      ProcessResult r = berth("run", "-d", "--name", "clash", "-p", "127.0.0.1:" + port + ":80", image, "sleep", "60");
      assertThat(r.exitCode()).as(r.toString()).isNotZero();
      assertThat(r.stderr()).contains("127.0.0.1:" + port).contains("port is already allocated");
    }
    String id = ok(berth("inspect", "-f", "{{.Id}}", "clash")).stdout().strip();
    assertThat(ok(berth("inspect", "-f", "{{.State.Status}}", "clash")).stdout().strip()).isEqualTo("exited");
    assertThat(daemon.network().iptablesRules()).noneMatch(l -> l.contains(id.substring(0, 12)));
    assertThat(Files.exists(daemon.execRoot().resolve("netns").resolve(id))).isFalse();
    assertThat(leases()).isEmpty();
    assertThat(bridgePorts(daemon.network().bridge())).isEmpty();
  }

  @Test
  void containersOnAUserNetworkReachEachOtherByNameAndAliasAndOthersCannot() {
    network("n1");
    network("n2", "--subnet", "10.251.77.0/24");
    ok(berth("run", "-d", "--name", "ca", "--network", "n1", "--network-alias", "web-a", image, "sh", "-c", HTTPD));
    String ip = ok(berth("inspect", "-f", "{{.NetworkSettings.Networks.n1.IPAddress}}", "ca")).stdout().strip();
    assertThat(ip).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");

    assertThat(Poll.until(Duration.ofSeconds(10), () -> fetchFrom("n1", "ca").stdout().contains("hello-from-")))
        .isTrue();
    // Each fetch is a new container; on a loaded machine its first UDP query can go unanswered
    // (seen once in many runs), so each gets the same bounded wait as the first.
    assertThat(Poll.until(Duration.ofSeconds(10), () -> fetchFrom("n1", "web-a").stdout().contains("hello-from-")))
        .isTrue();
    assertThat(fetchFrom("n1", ip).stdout()).contains("hello-from-");
    ProcessResult resolv = ok(berth("run", "--rm", "--network", "n1", image, "cat", "/etc/resolv.conf"));
    String ipam = ok(berth("network", "inspect", "-f", "{{json .IPAM.Config}}", "n1")).stdout();
    String gateway = ipam.replaceAll("(?s).*\"Gateway\":\"([0-9.]+)\".*", "$1").strip();
    assertThat(resolv.stdout()).contains("nameserver " + gateway);

    ProcessResult other = fetchFrom("n2", ip);
    assertThat(other.stdout()).doesNotContain("hello-from-");
    assertThat(other.stderr()).contains("timed out"); // dropped between the bridges, not refused
    assertThat(ok(berth("network", "inspect", "-f", "{{json .Containers}}", "n1")).stdout())
        .contains("\"Name\":\"ca\"").contains("\"IPv4Address\":\"" + ip + "/");
    // A network in use cannot go.
    assertThat(berth("network", "rm", "n1").stderr()).contains("has active endpoints");
  }

  @Test
  void networkCreateAndIpChoicesAreCheckedAndAFixedAddressIsGiven() {
    network("n3", "--subnet", "10.251.78.0/24", "--ip-range", "10.251.78.128/25", "--label", "team=net");
    assertThat(berth("network", "create", "--subnet", "10.251.78.64/26", "n4").stderr()).contains("overlaps");
    assertThat(berth("network", "create", "--subnet", "10.251.79.0/24", "--gateway", "10.9.9.9", "n4").stderr())
        .contains("not in subnet");
    assertThat(berth("network", "create", "n3").stderr()).contains("already exists");
    assertThat(berth("network", "ls", "--filter", "name=n4", "-q").stdout()).isBlank();
    assertThat(ok(berth("network", "ls", "--filter", "label=team=net", "--format", "{{.Name}}")).stdout().strip())
        .isEqualTo("n3");

    ok(berth("run", "-d", "--name", "fixed", "--network", "n3", "--ip", "10.251.78.200", image, "sleep", "60"));
    assertThat(ok(berth("inspect", "-f", "{{.NetworkSettings.Networks.n3.IPAddress}}", "fixed")).stdout().strip())
        .isEqualTo("10.251.78.200");
    ok(berth("run", "-d", "--name", "ranged", "--network", "n3", image, "sleep", "60"));
    String ranged = ok(berth("inspect", "-f", "{{.NetworkSettings.Networks.n3.IPAddress}}", "ranged")).stdout().strip();
    assertThat(Integer.parseInt(ranged.substring(ranged.lastIndexOf('.') + 1))).isBetween(128, 254);
    assertThat(berth("run", "-d", "--network", "n3", "--ip", "10.251.78.200", image, "true").stderr())
        .contains("10.251.78.200");
    assertThat(berth("run", "--rm", "--ip", "10.251.78.5", image, "true").stderr())
        .contains("user defined networks only");
    assertThat(berth("run", "--rm", "--network", "nosuch", image, "true").stderr()).contains("network nosuch not found");
  }

  @Test
  void aRunningContainerIsConnectedAndDisconnectedAndUnusedNetworksArePruned() {
    network("n5");
    network("n6");
    network("unused", "--label", "keep=no");
    ok(berth("run", "-d", "--name", "cd", "--network", "n5", image, "sh", "-c", HTTPD));
    ok(berth("network", "connect", "--alias", "second", "n6", "cd"));
    String ip6 = ok(berth("inspect", "-f", "{{.NetworkSettings.Networks.n6.IPAddress}}", "cd")).stdout().strip();
    assertThat(ip6).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    assertThat(Poll.until(Duration.ofSeconds(10), () -> fetchFrom("n6", "second").stdout().contains("hello-from-")))
        .isTrue();
    assertThat(berth("network", "connect", "n6", "cd").stderr()).contains("already exists");

    ok(berth("network", "disconnect", "n6", "cd"));
    assertThat(ok(berth("inspect", "-f", "{{json .NetworkSettings.Networks}}", "cd")).stdout()).doesNotContain("n6");
    ProcessResult gone = fetchFrom("n6", ip6);
    assertThat(gone.stdout()).doesNotContain("hello-from-");
    assertThat(fetchFrom("n5", "cd").stdout()).contains("hello-from-");

    ProcessResult pruned = ok(berth("network", "prune", "-f"));
    assertThat(pruned.stdout()).contains("unused").contains("n6").doesNotContain("n5");
    assertThat(ok(berth("network", "ls", "--format", "{{.Name}}")).stdout().lines().toList())
        .containsExactlyInAnyOrder("bridge", "host", "none", "n5");
  }

  @Test
  void afterACrashOfBerthdPortsAndNamesStillWorkAndRemovalLeavesNothing() throws Exception {
    String n1 = network("n1");
    int port = freePort();
    ok(berth("run", "-d", "--name", "ca", "--network", "n1", "-p", "127.0.0.1:" + port + ":80", image, "sh", "-c",
        HTTPD));
    ok(berth("run", "-d", "--name", "cc", image, "sleep", "600"));
    assertThat(Poll.until(Duration.ofSeconds(10), () -> answers(port))).isTrue();

    daemon.kill();
    daemon = env.startAgain();

    assertThat(get(port)).startsWith("200 hello-from-");
    assertThat(fetchFrom("n1", "ca").stdout()).contains("hello-from-");
    // The port is still held: a second container cannot take it.
    assertThat(berth("run", "-d", "-p", "127.0.0.1:" + port + ":80", image, "true").stderr())
        .contains("port is already allocated");

    for (String id : berth("ps", "-aq", "--no-trunc").stdout().lines().filter(l -> !l.isBlank()).toList()) {
      ok(berth("rm", "-f", id));
    }
    ok(berth("network", "rm", "n1"));
    // cc's network is freed in the background after its removal: no namespace, lease or veth soon after
    assertThat(Poll.until(Duration.ofSeconds(10), NetworkIT::nothingAttachedLeft)).isTrue();
    assertThat(Files.exists(Path.of("/sys/class/net/br-" + n1.substring(0, 12)))).isFalse();
    assertThat(daemon.network().iptablesRules()).noneMatch(l -> l.contains(":c:"));
    assertThat(Commands.run(List.of("iptables-save", "-t", "nat"), Duration.ofSeconds(10)).stdout())
        .doesNotContain(n1.substring(0, 12));
  }

  @Test
  void aCrashWhileARemovedContainersNetworkIsStillBeingFreedLeavesNothingAfterARestart() throws Exception {
    String id = ok(berth("run", "-d", image, "sleep", "600")).stdout().strip();
    String bridgeId = ok(berth("network", "inspect", "-f", "{{.Id}}", "bridge")).stdout().strip();
    // host-local gives a lease back under this lock (flock): holding it stops the teardown halfway.
    Path lock = daemon.dataRoot().resolve("network/ipam/berth-" + bridgeId.substring(0, 12) + "/lock");
    Process holder = new ProcessBuilder("flock", lock.toString(), "sh", "-c", "echo locked; exec cat").start();
    try {
      assertThat(new String(holder.getInputStream().readNBytes(7))).isEqualTo("locked\n");
      // The removal answers although its network is not freed yet.
      ok(berth("rm", "-f", id));
      assertThat(berth("ps", "-aq", "--no-trunc").stdout()).doesNotContain(id);
      long berthd = daemon.pid();
      List<ProcessHandle> plugins = new java.util.ArrayList<>();
      assertThat(Poll.until(Duration.ofSeconds(10), () -> {
        plugins.clear();
        plugins.addAll(descendants(berthd).stream().filter(p -> comm(p).equals("host-local")).toList());
        return !plugins.isEmpty();
      })).isTrue();
      List<ProcessHandle> cni = descendants(berthd).stream()
          .filter(p -> List.of("bridge", "host-local").contains(comm(p))).toList();

      daemon.kill();
      cni.forEach(ProcessHandle::destroyForcibly); // they die with the crash, before giving the lease back
      for (ProcessHandle p : cni) {
        p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      holder.getOutputStream().close();
      holder.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    // Halfway indeed: the namespace and the lease are still there.
    assertThat(Files.exists(daemon.execRoot().resolve("netns").resolve(id))).isTrue();
    assertThat(leases()).isNotEmpty();

    daemon = env.startAgain();
    assertThat(Files.exists(daemon.execRoot().resolve("netns").resolve(id))).isFalse();
    assertThat(leases()).isEmpty();
    assertThat(Poll.until(Duration.ofSeconds(10), NetworkIT::nothingAttachedLeft)).isTrue();
    // The address is free again: a new container runs on the bridge.
    ok(berth("run", "--rm", image, "true"));
  }

  /** No namespace file, lease or veth of the daemon's containers is left. */
  private static boolean nothingAttachedLeft() {
    try (Stream<Path> left = Files.list(daemon.execRoot().resolve("netns"))) {
      return left.findAny().isEmpty() && leases().isEmpty() && bridgePorts(daemon.network().bridge()).isEmpty();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Children, grandchildren, … of a process, from /proc/PID/task/TID/children. */
  private static List<ProcessHandle> descendants(long pid) {
    return ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of());
  }

  private static String comm(ProcessHandle p) {
    try {
      return Files.readString(Path.of("/proc/" + p.pid() + "/comm")).strip();
    } catch (IOException gone) {
      return "";
    }
  }

  /** host-local's lease files (named by address) under the daemon's data-root. */
  private static List<Path> leases() throws IOException {
    Path ipam = daemon.dataRoot().resolve("network/ipam");
    if (!Files.exists(ipam)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(ipam)) {
      return files.filter(p -> p.getFileName().toString().matches("\\d+\\.\\d+\\.\\d+\\.\\d+")).toList();
    }
  }

  /** The veths plugged into a bridge. */
  private static List<String> bridgePorts(String bridge) {
    return Commands.run(List.of("ip", "-o", "link", "show", "master", bridge), Duration.ofSeconds(10)).stdout()
        .lines().filter(l -> !l.isBlank()).toList();
  }
}
