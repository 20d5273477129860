package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.Repo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * berthd on loopback TCP with --tlsverify and certificates from bin/berth-certs: berth and the
 * docker CLI with a client certificate get in, clients without one or with a foreign one do not.
 */
@Tag("integration")
class TlsIT {
  private static final Path DOCKER = Path.of("/usr/local/bin/docker");

  @TempDir
  static Path dir;

  private static BerthdProcess daemon;
  private static String tcpHost;
  private static Path certs;
  private static Path foreign;

  @BeforeAll
  static void start() throws Exception {
    certs = dir.resolve("certs");
    foreign = dir.resolve("foreign");
    certs(certs);
    certs(foreign);
    int port = freePort();
    tcpHost = "tcp://127.0.0.1:" + port;
    Path server = certs.resolve("server");
    daemon = BerthdProcess.start(dir.resolve("d"), List.of("-H", tcpHost, "--tlsverify",
        "--tlscacert", server.resolve("ca.pem").toString(), "--tlscert", server.resolve("cert.pem").toString(),
        "--tlskey", server.resolve("key.pem").toString()));
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  private static void certs(Path into) {
    ProcessResult r = Commands.run(List.of(Repo.root().resolve("bin/berth-certs").toString(), into.toString()),
        Duration.ofMinutes(1));
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** bin/berth with the environment a docker CLI user would set. */
  private static ProcessResult berthWithEnv(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Repo.root().resolve("bin/berth").toString()));
    cmd.addAll(List.of(args));
    return Commands.run(cmd, env, Duration.ofMinutes(1));
  }

  private static ProcessResult docker(Path certDir, String... args) {
    List<String> cmd = new ArrayList<>(List.of(DOCKER.toString(), "-H", tcpHost, "--tlsverify",
        "--tlscacert", certs.resolve("ca.pem").toString()));
    if (certDir != null) {
      cmd.addAll(List.of("--tlscert", certDir.resolve("cert.pem").toString(), "--tlskey", certDir.resolve("key.pem").toString()));
    }
    cmd.addAll(List.of(args));
    return Commands.run(cmd, Map.of("DOCKER_CONFIG", dir.resolve("docker-config").toString(),
        "DOCKER_CERT_PATH", dir.resolve("empty").toString()), Duration.ofMinutes(1));
  }

  @Test
  void berthWithFlagsOrDockersEnvironmentGetsInWithItsClientCertificate() {
    Path client = certs.resolve("client");
    ProcessResult version = Commands.berth(tcpHost, "--tlsverify", "--tlscacert", client.resolve("ca.pem").toString(),
        "--tlscert", client.resolve("cert.pem").toString(), "--tlskey", client.resolve("key.pem").toString(), "version");
    assertThat(version.exitCode()).as(version.toString()).isZero();
    assertThat(version.stdout()).contains("Server: Berth Engine");

    ProcessResult ps = berthWithEnv(Map.of("DOCKER_HOST", tcpHost, "DOCKER_TLS_VERIFY", "1",
        "DOCKER_CERT_PATH", client.toString()), "ps", "-a");
    assertThat(ps.exitCode()).as(ps.toString()).isZero();
    assertThat(ps.stdout()).startsWith("CONTAINER ID");
  }

  @Test
  void berthWithoutACertificateOrWithAForeignOneIsRefused() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("no-client-cert"));
    Files.copy(certs.resolve("ca.pem"), empty.resolve("ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    ProcessResult none = berthWithEnv(Map.of("DOCKER_HOST", tcpHost, "DOCKER_TLS_VERIFY", "1",
        "DOCKER_CERT_PATH", empty.toString()), "version");
    assertThat(none.exitCode()).as(none.toString()).isEqualTo(1);
    assertThat(none.stdout()).doesNotContain("Server:");
    assertThat(none.stderr()).contains("--tlscert"); // the hint names the flags, whichever way the refusal showed

    Path client = certs.resolve("client");
    Path other = foreign.resolve("client");
    ProcessResult wrong = Commands.berth(tcpHost, "--tlsverify", "--tlscacert", client.resolve("ca.pem").toString(),
        "--tlscert", other.resolve("cert.pem").toString(), "--tlskey", other.resolve("key.pem").toString(), "ps");
    assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(1);
    assertThat(wrong.stdout()).doesNotContain("CONTAINER ID");

    // Nor does a server whose certificate the client's CA did not sign pass --tlsverify.
    ProcessResult untrusted = Commands.berth(tcpHost, "--tlsverify", "--tlscacert", foreign.resolve("ca.pem").toString(),
        "--tlscert", client.resolve("cert.pem").toString(), "--tlskey", client.resolve("key.pem").toString(), "ps");
    assertThat(untrusted.exitCode()).as(untrusted.toString()).isEqualTo(1);
    assertThat(untrusted.stderr()).contains("TLS handshake with the daemon at " + tcpHost + " failed");
  }

  @Test
  void dockerCliWorksOverMutualTlsAndIsRefusedWithoutAValidCertificate() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(DOCKER), "no docker CLI at " + DOCKER);
    ProcessResult version = docker(certs.resolve("client"), "version");
    assertThat(version.exitCode()).as(version.toString()).isZero();
    assertThat(version.stdout()).contains("Server: Berth Engine");
    ProcessResult ps = docker(certs.resolve("client"), "ps", "-a");
    assertThat(ps.exitCode()).as(ps.toString()).isZero();

    ProcessResult none = docker(null, "version");
    assertThat(none.exitCode()).as(none.toString()).isNotZero();
    assertThat(none.stdout()).doesNotContain("Berth Engine");
    ProcessResult wrong = docker(foreign.resolve("client"), "version");
    assertThat(wrong.exitCode()).as(wrong.toString()).isNotZero();
    assertThat(wrong.stdout()).doesNotContain("Berth Engine");
  }

  /**
   * An upload (import), an attach with stdin and its end (run -i: TLS half-close) and a
   * container's output all cross the TLS connection, for berth and the docker CLI alike.
   */
  @Test
  void containersRunOverTlsWithStdinAndItsEnd() throws IOException {
    Path client = certs.resolve("client");
    List<String> tlsFlags = List.of("--tlsverify", "--tlscacert", client.resolve("ca.pem").toString(),
        "--tlscert", client.resolve("cert.pem").toString(), "--tlskey", client.resolve("key.pem").toString());
    Path rootfs = dir.resolve("rootfs.tar");
    try (var out = Files.newOutputStream(rootfs);
        var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
      var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("bin/busybox");
      e.setSize(Files.size(Path.of("/bin/busybox")));
      e.setMode(0755);
      tar.putArchiveEntry(e);
      Files.copy(Path.of("/bin/busybox"), tar);
      tar.closeArchiveEntry();
    }
    List<String> imp = new ArrayList<>(tlsFlags);
    imp.addAll(List.of("import", rootfs.toString(), "tls-busybox:1"));
    ProcessResult imported = Commands.berth(tcpHost, imp.toArray(String[]::new));
    assertThat(imported.exitCode()).as(imported.toString()).isZero();

    Path input = Files.writeString(dir.resolve("stdin.txt"), "over tls\n");
    List<String> run = new ArrayList<>(List.of(Repo.root().resolve("bin/berth").toString(), "-H", tcpHost));
    run.addAll(tlsFlags);
    run.addAll(List.of("run", "--rm", "-i", "--network", "none", "tls-busybox:1", "/bin/busybox", "cat"));
    ProcessResult berthRun = Commands.run(run, Map.of(), input, Duration.ofMinutes(2));
    assertThat(berthRun.exitCode()).as(berthRun.toString()).isZero();
    assertThat(berthRun.stdout()).isEqualTo("over tls\n");

    if (Files.isExecutable(DOCKER)) {
      List<String> docker = new ArrayList<>(List.of(DOCKER.toString(), "-H", tcpHost));
      docker.addAll(tlsFlags);
      docker.addAll(List.of("run", "--rm", "-i", "--network", "none", "tls-busybox:1", "/bin/busybox", "cat"));
      ProcessResult dockerRun = Commands.run(docker, Map.of("DOCKER_CONFIG", dir.resolve("docker-config").toString()),
          input, Duration.ofMinutes(2));
      assertThat(dockerRun.exitCode()).as(dockerRun.toString()).isZero();
      assertThat(dockerRun.stdout()).isEqualTo("over tls\n");
    }
  }

  @Test
  void plainHttpOnTheTlsPortGetsNoApi() {
    ProcessResult curl = Commands.run(List.of("curl", "-sS", "--max-time", "10", tcpHost.replace("tcp://", "http://")
        + "/_ping"), Duration.ofSeconds(30));
    assertThat(curl.stdout()).doesNotContain("OK");
  }

  @Test
  void aNonLoopbackListenerWithoutTlsStopsTheStartBeforeAnythingBinds() throws IOException {
    int port = freePort();
    Path base = dir.resolve("exposed");
    try (BerthdProcess refused = BerthdProcess.launch(base.resolve("data"), base.resolve("exec"),
        base.resolve("exec/berth.sock"), base, List.of("-H", "tcp://0.0.0.0:" + port))) {
      assertThat(refused.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
      assertThat(refused.log()).contains("refusing to serve the API on tcp://0.0.0.0:" + port + " without TLS")
          .contains("--tls=false");
      assertThat(base.resolve("exec/berth.sock")).doesNotExist();
    }
  }
}
