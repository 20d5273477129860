package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import dev.berth.testkit.Poll;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.containers.output.WaitingConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Testcontainers (docker-java underneath) drives berthd unchanged: only DOCKER_HOST points at
 * it. Failsafe sets DOCKER_HOST to {@code target/tc/berth.sock} for the whole test JVM (plus
 * TESTCONTAINERS_RYUK_DISABLED and TESTCONTAINERS_HOST_OVERRIDE, see berth-it's pom), because
 * Testcontainers reads its environment once; this class starts its berthd on that socket.
 */
@Tag("integration")
class TestcontainersIT {
  @TempDir
  static Path dir;

  static LocalRegistry registry;
  static BerthdProcess daemon;
  static DockerImageName busybox;

  @BeforeAll
  static void startDaemonWithBusybox() throws Exception {
    Path socket = Path.of(System.getenv("DOCKER_HOST").substring("unix://".length()));
    Files.createDirectories(socket.getParent());
    registry = LocalRegistry.start(dir.resolve("registry"));
    String pushed = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest")
        .pushTo(registry.host() + "/test/busybox:latest");
    daemon = BerthdProcess.start(dir.resolve("data"), dir.resolve("exec"), socket, dir.resolve("log"));
    ok(berth("pull", pushed));
    ok(berth("tag", pushed, "berth-it/busybox:tc"));
    busybox = DockerImageName.parse("berth-it/busybox:tc");
  }

  @AfterAll
  static void stopAll() {
    if (daemon != null) {
      daemon.stop();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @AfterEach
  void testcontainersRemovedWhatItStarted() {
    String log = daemon.log();
    assertThat(ok(berth("ps", "-aq")).stdout()).as("berthd's log:\n%s", log.substring(Math.max(0, log.length() - 6000)))
        .isBlank();
  }

  @Test
  void clientSeesBerthAsItsDockerEnvironment() {
    var client = DockerClientFactory.instance();
    assertThat(client.isDockerAvailable()).isTrue();
    assertThat(client.getInfo().getServerVersion()).isNotBlank();
    assertThat(DockerClientFactory.instance().client().versionCmd().exec().getApiVersion()).isEqualTo("1.51");
  }

  @Test
  void commandEnvLogWaitAndExec() throws Exception {
    try (GenericContainer<?> c = new GenericContainer<>(busybox)
        .withEnv("GREETING", "berth")
        .withCommand("sh", "-c", "echo \"hello $GREETING\"; echo ready; exec sleep 300")
        .waitingFor(Wait.forLogMessage(".*ready.*\\n", 1).withStartupTimeout(Duration.ofSeconds(60)))) {
      c.start();

      assertThat(c.isRunning()).isTrue();
      assertThat(c.getLogs()).contains("hello berth\n");
      ExecResult r = c.execInContainer("sh", "-c", "echo out; echo err >&2; exit 3");
      assertThat(r.getExitCode()).isEqualTo(3);
      assertThat(r.getStdout()).isEqualTo("out\n");
      assertThat(r.getStderr()).isEqualTo("err\n");
      assertThat(c.execInContainer("sh", "-c", "echo $GREETING").getStdout()).isEqualTo("berth\n");
    }
  }

  @Test
  void imageFromDockerfileIsBuiltAndRun() throws Exception {
    var built = new org.testcontainers.images.builder.ImageFromDockerfile("berth-it/tc-built", false)
        .withFileFromString("greeting.txt", "built by testcontainers\n")
        .withDockerfileFromBuilder(b -> b.from(busybox.asCanonicalNameString())
            .copy("greeting.txt", "/greeting.txt")
            .run("echo ran > /ran")
            .cmd("sh", "-c", "cat /greeting.txt /ran; echo ready; exec sleep 300"));
    try (GenericContainer<?> c = new GenericContainer<>(built)
        .waitingFor(Wait.forLogMessage(".*ready.*\\n", 1).withStartupTimeout(Duration.ofSeconds(60)))) {
      c.start();
      assertThat(c.getLogs()).contains("built by testcontainers\nran\n");
    }
  }

  @Test
  void logConsumerFollowsTheOutput() throws Exception {
    ToStringConsumer lines = new ToStringConsumer();
    WaitingConsumer waiting = new WaitingConsumer();
    try (GenericContainer<?> c = new GenericContainer<>(busybox)
        .withCommand("sh", "-c", "for i in 1 2 3; do echo line-$i; done; echo done >&2; exec sleep 300")
        .withLogConsumer(lines.andThen(waiting))) {
      c.start();
      waiting.waitUntil(frame -> frame.getUtf8String().contains("done"), 30, TimeUnit.SECONDS);

      assertThat(lines.toUtf8String()).contains("line-1", "line-2", "line-3", "done");
    }
  }

  @Test
  void aContainerThatFailsToStartIsReportedWithItsLogs() {
    ToStringConsumer output = new ToStringConsumer();
    try (GenericContainer<?> c = new GenericContainer<>(busybox)
        .withCommand("sh", "-c", "echo 'config missing' >&2; exit 1")
        .withLogConsumer(output)
        .waitingFor(Wait.forLogMessage(".*never printed.*", 1).withStartupTimeout(Duration.ofSeconds(20)))
        .withStartupAttempts(1)) {
      assertThatThrownBy(c::start).isInstanceOf(ContainerLaunchException.class);

      assertThat(output.toUtf8String()).contains("config missing");
    }
  }

  @Test
  void exposedPortWithHttpWaitAndListeningPortWait() throws Exception {
    try (GenericContainer<?> web = new GenericContainer<>(busybox)
        .withCommand("httpd", "-f", "-p", "8080", "-h", "/www")
        .withExposedPorts(8080)
        .waitingFor(Wait.forHttp("/index.html").forStatusCode(200).withStartupTimeout(Duration.ofSeconds(60)))) {
      web.start();

      assertThat(get("http://" + web.getHost() + ":" + web.getMappedPort(8080) + "/index.html"))
          .isEqualTo("hello from berth\n");
      assertThat(ok(berth("port", web.getContainerId(), "8080/tcp")).stdout())
          .contains(":" + web.getMappedPort(8080));
    }
    try (GenericContainer<?> listening = new GenericContainer<>(busybox)
        .withCommand("sh", "-c", "sleep 1; exec httpd -f -p 9090 -h /www")
        .withExposedPorts(9090)
        .waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofSeconds(60)))) {
      listening.start();

      assertThat(get("http://localhost:" + listening.getMappedPort(9090) + "/index.html")).contains("hello");
    }
  }

  @Test
  void twoContainersOnANetworkReachEachOtherByAlias() throws Exception {
    String networkId;
    try (Network network = Network.newNetwork();
        GenericContainer<?> server = new GenericContainer<>(busybox)
            .withNetwork(network).withNetworkAliases("web")
            .withCommand("httpd", "-f", "-p", "80", "-h", "/www");
        GenericContainer<?> client = new GenericContainer<>(busybox)
            .withNetwork(network)
            .withCommand("sleep", "300")) {
      server.start();
      client.start();
      networkId = network.getId();

      ExecResult r = client.execInContainer("sh", "-c", "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 5 web 80");
      assertThat(r.getStdout()).as(r.toString()).contains("200 OK").contains("hello from berth");
    }
    assertThat(ok(berth("network", "ls", "-q", "--no-trunc")).stdout()).doesNotContain(networkId);
  }

  @Test
  void filesGoInAndOutAndABindMountIsShared(@TempDir Path host) throws Exception {
    Path in = Files.writeString(host.resolve("in.txt"), "from the host\n");
    Path shared = Files.createDirectory(host.resolve("shared"));
    try (GenericContainer<?> c = new GenericContainer<>(busybox)
        .withFileSystemBind(shared.toString(), "/shared", BindMode.READ_WRITE)
        .withCopyFileToContainer(MountableFile.forHostPath(in), "/data/copied-at-create.txt")
        .withCommand("sleep", "300")) {
      c.start();
      c.copyFileToContainer(MountableFile.forHostPath(in), "/tmp/in.txt");

      assertThat(c.execInContainer("cat", "/tmp/in.txt", "/data/copied-at-create.txt").getStdout())
          .isEqualTo("from the host\nfrom the host\n");
      c.execInContainer("sh", "-c", "echo from the container > /tmp/out.txt; echo via bind > /shared/b.txt");
      String out = c.copyFileFromContainer("/tmp/out.txt", s -> new String(s.readAllBytes(), StandardCharsets.UTF_8));
      assertThat(out).isEqualTo("from the container\n");
      assertThat(shared.resolve("b.txt")).hasContent("via bind");
    }
  }

  private static ProcessResult berth(String... args) {
    return Commands.berth(daemon.host(), args);
  }

  /**
   * What Ryuk does, with an image built here: a privileged container with the API socket
   * bind-mounted waits for the test's connection to close, then removes the containers whose
   * label the test sent.
   */
  @Test
  void aReaperLikeContainerRemovesLabelledContainersWhenItsClientGoes() throws Exception {
    DockerImageName reaperImage = buildReaperImage();
    try (GenericContainer<?> reaper = new GenericContainer<>(reaperImage)
        .withPrivilegedMode(true)
        .withFileSystemBind(daemon.socket().toString(), "/var/run/docker.sock", BindMode.READ_WRITE)
        .withExposedPorts(8080)
        .withCommand("sh", "/reap.sh")
        .waitingFor(Wait.forLogMessage(".*listening.*\\n", 1))) {
      reaper.start();
      GenericContainer<?> victim = new GenericContainer<>(busybox)
          .withLabel("dev.berth.session", "s1").withCommand("sleep", "300");
      victim.start(); // deliberately not closed: the reaper must remove it
      assertThat(ok(berth("ps", "-q", "--filter", "label=dev.berth.session=s1")).stdout()).isNotBlank();

      try (Socket client = new Socket("localhost", reaper.getMappedPort(8080))) {
        client.getOutputStream().write("label=dev.berth.session=s1\n".getBytes(StandardCharsets.UTF_8));
      }

      assertThat(Poll.until(Duration.ofSeconds(60),
          () -> ok(berth("ps", "-aq", "--filter", "label=dev.berth.session=s1")).stdout().isBlank()))
          .as("reaper log: %s", reaper.getLogs()).isTrue();
      assertThat(reaper.getLogs()).contains("removed " + victim.getContainerId());
    }
    ok(berth("rmi", reaperImage.asCanonicalNameString()));
  }

  /** busybox, the host's curl with the libraries it links, and a reaper script, imported as an image. */
  private static DockerImageName buildReaperImage() throws Exception {
    Path root = Files.createDirectories(dir.resolve("reaper-rootfs"));
    Files.createDirectories(root.resolve("bin"));
    Files.createDirectories(root.resolve("tmp"));
    Files.copy(BusyboxImage.BUSYBOX, root.resolve("bin/busybox"));
    for (String applet : List.of("sh", "nc", "grep", "cut", "head", "sed", "echo", "cat")) {
      Files.createSymbolicLink(root.resolve("bin/" + applet), Path.of("busybox"));
    }
    List<String> files = new ArrayList<>(List.of("/usr/bin/curl"));
    Matcher lib = Pattern.compile("(/\\S+)").matcher(ok(Commands.run(List.of("ldd", "/usr/bin/curl"),
        Duration.ofSeconds(10))).stdout());
    while (lib.find()) {
      files.add(lib.group(1));
    }
    for (String f : files) {
      Path target = root.resolve(f.substring(1));
      Files.createDirectories(target.getParent());
      Files.copy(Path.of(f), target, StandardCopyOption.REPLACE_EXISTING); // follows links: the real bytes
    }
    Files.writeString(root.resolve("reap.sh"), """
        echo listening
        nc -l -p 8080 > /tmp/request
        label=$(head -n 1 /tmp/request | sed 's/^label=//')
        ids=$(curl -s -G --unix-socket /var/run/docker.sock --data-urlencode all=1 \\
          --data-urlencode "filters={\\"label\\":[\\"$label\\"]}" http://docker/v1.44/containers/json \\
          | grep -o '"Id":"[0-9a-f]*"' | cut -d '"' -f 4)
        for id in $ids; do
          curl -s -X DELETE --unix-socket /var/run/docker.sock "http://docker/v1.44/containers/$id?force=1&v=1"
          echo "removed $id"
        done
        exec sleep 300
        """);
    Path tar = dir.resolve("reaper.tar");
    ok(Commands.run(List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."), Duration.ofSeconds(60)));
    ok(Commands.run(Commands.berthCommand(daemon.host(), "import", "-", "berth-it/reaper:1"), Map.of(), tar,
        Duration.ofSeconds(60)));
    return DockerImageName.parse("berth-it/reaper:1");
  }

  private static String get(String url) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return r.body();
    }
  }

  private static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }
}
