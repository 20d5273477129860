package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.DockerdProcess;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.ThrottledProxy;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry mirrors with real registries: {@code mirror} holds the images, {@code real} is a
 * registry that lacks most of them, {@code empty} a mirror that has none, and one mirror is a
 * port nobody listens on. Names under {@code .invalid} cannot resolve (RFC 6761), so a pull of
 * one succeeds only through its mirror and nothing here leaves the machine. Each test pulls its
 * own repository, so the registries' request counts of one test are not changed by another.
 */
@Tag("integration")
class RegistryMirrorIT {
  @TempDir
  static Path dir;

  static LocalRegistry mirror;
  static LocalRegistry real;
  static LocalRegistry empty;
  static ThrottledProxy slow;
  static BerthdProcess daemon;
  static String pauseDigest;

  @BeforeAll
  static void startRegistriesAndDaemon() throws IOException {
    mirror = LocalRegistry.start(dir.resolve("mirror"));
    real = LocalRegistry.start(dir.resolve("real"));
    empty = LocalRegistry.start(dir.resolve("empty"));
    BusyboxImage.Layout small = BusyboxImage.writeOciLayout(dir.resolve("small"), "latest");
    small.pushTo(mirror.host() + "/k8s/pause:3.10");
    small.pushTo(mirror.host() + "/app/busybox:1");
    small.pushTo(mirror.host() + "/app/docker-cli:1");
    small.pushTo(mirror.host() + "/app/from-file:1");
    small.pushTo(real.host() + "/app/only-real:1");
    pauseDigest = small.manifestDigest();
    // Big enough (about 16 s behind a 2 MB/s relay) that pulls started during one overlap it.
    BusyboxImage.writeOciLayout(dir.resolve("big"), "latest", 1, 32L << 20)
        .pushTo(mirror.host() + "/k8s/concurrent:1");
    slow = ThrottledProxy.start("127.0.0.1", mirror.port(), 2L << 20);
    daemon = BerthdProcess.start(dir.resolve("berthd"), List.of(
        "--registry-mirror", "registry.invalid=http://" + deadHost(),
        "--registry-mirror", "registry.invalid=http://" + mirror.host(),
        "--registry-mirror", real.host() + "=http://" + empty.host(),
        "--registry-mirror", real.host() + "=http://" + mirror.host(),
        "--registry-mirror", "slow.invalid=http://" + slow.host(),
        "--registry-mirror", "http://" + mirror.host()));
  }

  @AfterAll
  static void stopAll() throws IOException {
    if (daemon != null) {
      daemon.stop();
    }
    for (AutoCloseable c : new AutoCloseable[] {slow, mirror, real, empty}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    Leftovers.removeUnder(dir);
  }

  private static String deadHost() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }

  private static ProcessResult berth(String... args) {
    return Commands.berth(daemon.host(), args);
  }

  private static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  private static long count(LocalRegistry registry, String requestPrefix) {
    return registry.requests().stream().filter(r -> r.startsWith(requestPrefix)).count();
  }

  @Test
  void aNameThatCannotResolveIsPulledThroughItsMirrorPastADeadOneAndKeepsItsName() {
    ok(berth("pull", "registry.invalid/k8s/pause:3.10"));

    assertThat(ok(berth("images", "--format", "{{.Repository}}:{{.Tag}}")).stdout())
        .contains("registry.invalid/k8s/pause:3.10");
    assertThat(ok(berth("image", "inspect", "-f", "{{json .RepoTags}} {{json .RepoDigests}}",
        "registry.invalid/k8s/pause:3.10")).stdout())
        // Tests of this class share one image (the same busybox under several names): each name is there.
        .contains("\"registry.invalid/k8s/pause:3.10\"", "\"registry.invalid/k8s/pause@" + pauseDigest + "\"");
    assertThat(count(mirror, "GET /v2/k8s/pause/manifests/3.10 200")).isEqualTo(1);
  }

  @Test
  void aMirrorWithoutTheImageFallsThroughToTheNextAndThenToTheRegistry() {
    ok(berth("pull", real.host() + "/app/busybox:1"));
    ok(berth("pull", real.host() + "/app/only-real:1"));

    // app/busybox: the empty mirror said 404, the second mirror served it, the registry (which
    // lacks it) was never asked.
    assertThat(count(empty, "GET /v2/app/busybox/manifests/1 404")).isEqualTo(1);
    assertThat(count(mirror, "GET /v2/app/busybox/manifests/1 200")).isEqualTo(1);
    assertThat(count(real, "GET /v2/app/busybox/")).isZero();
    // app/only-real: both mirrors said 404, the registry served it.
    assertThat(count(empty, "GET /v2/app/only-real/manifests/1 404")).isEqualTo(1);
    assertThat(count(mirror, "GET /v2/app/only-real/manifests/1 404")).isEqualTo(1);
    assertThat(count(real, "GET /v2/app/only-real/manifests/1 200")).isEqualTo(1);
    assertThat(ok(berth("image", "inspect", "-f", "{{json .RepoTags}}", real.host() + "/app/busybox:1"))
        .stdout()).contains("\"" + real.host() + "/app/busybox:1\"");
  }

  @Test
  void pullsOfOneImageAskedForWhileItIsPulledAreDoneOnceAndAllSucceed() throws Exception {
    String name = "slow.invalid/k8s/concurrent:1";
    Path blobs = daemon.dataRoot().resolve("content/blobs/sha256");
    List<Process> pulls = new ArrayList<>();
    pulls.add(pull(name, 0));
    // The others start while the first is downloading (a blob's temp file is there): about 16 s
    // behind the relay, ample for three CLIs to connect even on a loaded machine.
    assertThat(Poll.until(Duration.ofSeconds(60), () -> hasPartialBlob(blobs))).isTrue();
    for (int i = 1; i < 4; i++) {
      pulls.add(pull(name, i));
    }
    for (int i = 0; i < pulls.size(); i++) {
      Process p = pulls.get(i);
      assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
      String output = Files.readString(dir.resolve("pull-" + i + ".log"));
      assertThat(p.exitValue()).as(output).isZero();
      assertThat(output).as("pull %d", i).contains("Status: Downloaded newer image for " + name);
    }

    // One manifest request and one request per blob, for four callers; three joined the first.
    assertThat(count(mirror, "GET /v2/k8s/concurrent/manifests/")).isEqualTo(1);
    List<String> blobGets = mirror.requests().stream()
        .filter(r -> r.startsWith("GET /v2/k8s/concurrent/blobs/")).toList();
    // The config and the big layer at least (the busybox layer may be there from another test).
    assertThat(blobGets).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(2);
    assertThat(daemon.log().split("pull of slow.invalid/k8s/concurrent:1 already under way", -1)).hasSize(4);
  }

  private static Process pull(String name, int i) throws IOException {
    return new ProcessBuilder(Commands.berthCommand(daemon.host(), "pull", name))
        .redirectErrorStream(true).redirectOutput(dir.resolve("pull-" + i + ".log").toFile()).start();
  }

  private static boolean hasPartialBlob(Path blobs) {
    try (var files = Files.list(blobs)) {
      return files.anyMatch(p -> p.getFileName().toString().contains(".tmp-"));
    } catch (IOException notYet) {
      return false;
    }
  }

  @Test
  void infoShowsTheMirrorsAsDockerdDoesAndPerRegistry() {
    String info = ok(berth("info")).stdout();
    assertThat(info).contains(" Registry Mirrors:", "  http://" + mirror.host() + "/",
        "  registry.invalid: http://" + mirror.host() + "/");
  }

  @Test
  void registryConfigInInfoIsDockerdsForTheSameDockerHubMirror() {
    Assumptions.assumeTrue(DockerdProcess.available(), "no dockerd at " + DockerdProcess.DOCKERD);
    try (DockerdProcess dockerd = DockerdProcess.start(dir.resolve("dockerd"),
        List.of("--registry-mirror", "http://" + mirror.host()))) {
      String format = "{{json .RegistryConfig.Mirrors}} {{json (index .RegistryConfig.IndexConfigs \"docker.io\")}}";
      ProcessResult theirs = dockerd.docker("info", "--format", format);
      assertThat(theirs.exitCode()).as(theirs.toString()).isZero();
      ProcessResult ours = Commands.run(List.of("docker", "-H", daemon.host(), "info", "--format", format),
          Duration.ofMinutes(1));
      assertThat(ours.exitCode()).as(ours.toString()).isZero();
      assertThat(ours.stdout().strip()).isEqualTo(theirs.stdout().strip())
          .contains("\"http://" + mirror.host() + "/\"");
    }
  }

  @Test
  void theDockerCliPullsThroughAMirrorAndSeesItInInfo() throws IOException {
    Path docker = DockerCliIT.DOCKER;
    Assumptions.assumeTrue(Files.isExecutable(docker), "the docker CLI is not at " + docker);
    Map<String, String> env = Map.of("DOCKER_HOST", daemon.host(),
        "DOCKER_CONFIG", Files.createDirectories(dir.resolve("docker-config")).toString());
    ProcessResult pull = Commands.run(List.of(docker.toString(), "pull", "registry.invalid/app/docker-cli:1"), env,
        Duration.ofMinutes(2));
    assertThat(pull.exitCode()).as(pull.toString()).isZero();
    assertThat(pull.stdout()).contains("Digest: " + pauseDigest, "registry.invalid/app/docker-cli:1");
    assertThat(count(mirror, "GET /v2/app/docker-cli/manifests/1 200")).isEqualTo(1);
    ProcessResult tags = Commands.run(List.of(docker.toString(), "image", "inspect", "-f", "{{json .RepoTags}}",
        "registry.invalid/app/docker-cli:1"), env, Duration.ofMinutes(1));
    assertThat(tags.stdout()).contains("\"registry.invalid/app/docker-cli:1\"");

    ProcessResult info = Commands.run(List.of(docker.toString(), "info"), env, Duration.ofMinutes(1));
    assertThat(info.stdout()).contains(" Registry Mirrors:\n  http://" + mirror.host() + "/\n");
  }

  @Test
  void daemonJsonsObjectFormServesPullsOfThatRegistry() throws IOException {
    Path base = dir.resolve("from-file");
    Files.createDirectories(base);
    Files.writeString(base.resolve("daemon.json"),
        "{\"registry-mirrors\": {\"file.invalid\": [\"http://" + mirror.host() + "\"]}}\n");
    try (BerthdProcess fromFile = BerthdProcess.start(base)) {
      ProcessResult pull = Commands.berth(fromFile.host(), "pull", "file.invalid/app/from-file:1");
      assertThat(pull.exitCode()).as(pull.toString()).isZero();
      assertThat(Commands.berth(fromFile.host(), "images", "--format", "{{.Repository}}:{{.Tag}}").stdout())
          .contains("file.invalid/app/from-file:1");
      assertThat(count(mirror, "GET /v2/app/from-file/manifests/1 200")).isEqualTo(1);
      fromFile.stop();
    }
  }

  @Test
  void aPlainHttpMirrorOnTheNetworkIsRefusedAtStart() throws IOException {
    Path base = dir.resolve("refused");
    BerthdProcess refused = BerthdProcess.launch(base.resolve("data"), base.resolve("exec"),
        base.resolve("exec/berth.sock"), base, List.of("--registry-mirror", "gcr.io=http://10.0.0.5:5000"));
    try {
      assertThat(refused.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
      assertThat(refused.log()).contains("mirror http://10.0.0.5:5000 of gcr.io is plain HTTP", "--insecure-registry");
    } finally {
      refused.close();
    }
  }
}
