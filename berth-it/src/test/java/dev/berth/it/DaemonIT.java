package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built berthd and berth as processes, on temp dirs; curl and the docker CLI as outside clients. */
@Tag("integration")
class DaemonIT {
  @TempDir
  Path dir;

  private static ProcessResult curl(BerthdProcess d, String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-sS", "--unix-socket", d.socket().toString(),
        "-w", "\n%{http_code}"));
    cmd.addAll(List.of(args));
    return Commands.run(cmd, Duration.ofSeconds(30));
  }

  @Test
  void cliShowsClientAndServerVersions() {
    try (BerthdProcess d = BerthdProcess.start(dir)) {
      ProcessResult version = Commands.berth(d.host(), "version");
      assertThat(version.exitCode()).as(version.toString()).isZero();
      assertThat(version.stdout()).contains("Client:").contains("Server: Berth Engine").contains(" Berth:\n  Version:")
          .containsPattern("API version: +1.51 \\(minimum version 1.24\\)");

      ProcessResult json = Commands.berth(d.host(), "version", "--format", "json");
      assertThat(json.stdout()).contains("\"Server\":{").contains("\"ApiVersion\":\"1.51\"");

      ProcessResult template = Commands.berth(d.host(), "version", "--format", "{{.Server.ApiVersion}}/{{.Client.ApiVersion}}");
      assertThat(template.stdout()).isEqualTo("1.51/1.51\n");

      ProcessResult info = Commands.berth(d.host(), "info");
      assertThat(info.exitCode()).as(info.toString()).isZero();
      assertThat(info.stdout()).contains("Berth Root Dir: " + d.dataRoot()).contains("Cgroup Version: ");
    }
  }

  @Test
  void berthHostEnvironmentVariableNamesTheDaemon() {
    try (BerthdProcess d = BerthdProcess.start(dir)) {
      ProcessResult r = Commands.run(List.of(dev.berth.testkit.Repo.root().resolve("bin/berth").toString(), "info",
          "--format", "json"), java.util.Map.of("BERTH_HOST", d.host()), Duration.ofMinutes(1));
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.stdout()).contains("\"DockerRootDir\":\"" + d.dataRoot() + "\"");
    }
  }

  @Test
  void theRealDockerCliTalksToBerthd() {
    Path docker = Path.of("/usr/local/bin/docker");
    Assumptions.assumeTrue(Files.isExecutable(docker),
        "the docker CLI is not installed at /usr/local/bin/docker; install docker-ce-cli to run this test");
    try (BerthdProcess d = BerthdProcess.start(dir)) {
      ProcessResult r = Commands.run(List.of(docker.toString(), "-H", d.host(), "version"), Duration.ofSeconds(30));
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.stdout()).contains("Server: Berth Engine").contains("API version:      1.51 (minimum version 1.24)");
      ProcessResult info = Commands.run(List.of(docker.toString(), "-H", d.host(), "info", "--format",
          "{{.DockerRootDir}} {{.OSType}}"), Duration.ofSeconds(30));
      assertThat(info.stdout().strip()).isEqualTo(d.dataRoot() + " linux");
    }
  }

  @Test
  void apiErrorsHaveDockersShapeAndTheDaemonKeepsServing() {
    try (BerthdProcess d = BerthdProcess.start(dir)) {
      ProcessResult tooNew = curl(d, "http://x/v1.99/version");
      assertThat(tooNew.stdout()).isEqualTo(
          "{\"message\":\"client version 1.99 is too new. Maximum supported API version is 1.51\"}\n\n400");
      ProcessResult missing = curl(d, "http://x/nope");
      assertThat(missing.stdout()).isEqualTo("{\"message\":\"page not found\"}\n\n404");
      ProcessResult ping = curl(d, "-I", "http://x/_ping");
      assertThat(ping.stdout()).startsWith("HTTP/1.1 200").contains("Api-Version: 1.51").contains("Ostype: linux");
      ProcessResult brokenJson = curl(d, "-X", "POST", "-H", "Content-Type: application/json",
          "--data", "{\"username\": alice", "http://x/v1.44/auth");
      assertThat(brokenJson.stdout()).startsWith("{\"message\":\"invalid JSON in request body: ").endsWith("\n400");
      assertThat(curl(d, "http://x/v1.24/_ping").stdout()).isEqualTo("OK\n200");
    }
  }

  @Test
  void runtimeStateLeftByACrashBetweenAnExitAndItsDeleteIsRemovedAtStart() throws Exception {
    // An exit is recorded before runc delete and conmon's end finish; a crash in between leaves
    // conmon's state dir of a container that no longer runs (its conmon and process are gone).
    String id = "0123456789abcdef".repeat(4);
    Path left;
    try (BerthdProcess first = BerthdProcess.start(dir)) {
      left = Files.createDirectories(first.execRoot().resolve("conmon").resolve(id));
      Files.writeString(left.resolve("conmon.pid"), "999999999\n");
      Files.writeString(left.resolve("container.pid"), "999999998\n");
      Files.createDirectories(left.resolve("exit"));
      Files.writeString(left.resolve("exit").resolve(id), "0");
    }
    try (BerthdProcess second = BerthdProcess.start(dir)) {
      assertThat(left).doesNotExist();
      assertThat(second.log()).contains("finished its runtime delete");
    }
  }

  @Test
  void sigtermStopsCleanlyAndRemovesSocketAndPidfile() throws Exception {
    BerthdProcess d = BerthdProcess.start(dir);
    Path pidfile = d.execRoot().resolve("berthd.pid");
    assertThat(Files.readString(pidfile).strip()).isEqualTo(Long.toString(d.pid()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.socket()))).isEqualTo("rw-rw----");
    assertThat(d.stop()).as(d.log()).isZero();
    assertThat(d.socket()).doesNotExist();
    assertThat(pidfile).doesNotExist();
  }

  @Test
  void aSecondDaemonOnTheSameDataRootIsRefusedAndNamesTheFirst() {
    try (BerthdProcess first = BerthdProcess.start(dir)) {
      BerthdProcess second = BerthdProcess.launch(first.dataRoot(), dir.resolve("exec2"), dir.resolve("exec2/b.sock"),
          dir.resolve("second"));
      int exit = second.awaitExit(Duration.ofSeconds(60));
      assertThat(exit).isNotZero();
      assertThat(second.log()).contains("data-root " + first.dataRoot() + " is in use by another berthd (pid "
          + first.pid() + ")");
      // The first one is untouched.
      assertThat(Commands.berth(first.host(), "version").exitCode()).isZero();
    }
  }

  @Test
  void afterSigkillANewDaemonReplacesTheStaleSocketAndKeepsItsState() {
    String id;
    BerthdProcess first = BerthdProcess.start(dir);
    try {
      id = idOf(first);
      first.kill();
    } finally {
      first.close();
    }
    assertThat(first.socket()).as("a SIGKILLed daemon leaves its socket file").exists();
    try (BerthdProcess second = BerthdProcess.start(dir)) {
      assertThat(second.log()).contains("removed stale socket");
      assertThat(idOf(second)).isEqualTo(id);
    }
  }

  @Test
  void anUnreachableDaemonGivesTheAgreedMessage() {
    ProcessResult r = Commands.berth("unix://" + dir.resolve("none.sock"), "info");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr().strip()).isEqualTo("Cannot connect to the Berth daemon at unix://" + dir.resolve("none.sock")
        + ". Is berthd running?");
  }

  @Test
  void everyCommandHasHelp() {
    for (List<String> args : List.of(List.of("--help"), List.of("version", "--help"), List.of("info", "--help"),
        List.of("completion", "--help"))) {
      ProcessResult r = Commands.berth(null, args.toArray(String[]::new));
      assertThat(r.exitCode()).as(args + "\n" + r).isZero();
      assertThat(r.stdout()).startsWith("Usage: berth");
    }
    ProcessResult daemonHelp = Commands.run(List.of(dev.berth.testkit.Repo.root().resolve("bin/berthd").toString(),
        "--help"), Duration.ofSeconds(30));
    assertThat(daemonHelp.stdout()).contains("--data-root").contains("--exec-root").contains("--config-file");
    ProcessResult completion = Commands.berth(null, "completion", "bash");
    assertThat(completion.stdout()).contains("complete -F");
    ProcessResult badFlag = Commands.berth(null, "version", "--bogus");
    assertThat(badFlag.exitCode()).isEqualTo(125);
    assertThat(badFlag.stderr()).contains("--bogus").contains("See 'berth version --help'.");
  }

  private static String idOf(BerthdProcess d) {
    ProcessResult r = Commands.berth(d.host(), "info");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r.stdout().lines().filter(l -> l.startsWith(" ID: ")).findFirst().orElseThrow();
  }
}
