package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.Commands;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real docker CLI (v28) against a real berthd with nothing changed but DOCKER_HOST: one
 * daemon and one registry for the class, checks grouped by what they share (one container for
 * several commands), so the suite stays quick. Skipped, saying how to get the CLI, where the
 * docker binary is absent. {@code system prune} runs last: it removes what the others leave.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerCliIT {
  static final Path DOCKER = Path.of("/usr/local/bin/docker");

  @TempDir
  static Path dir;

  static LocalRegistry registry;
  static BerthdProcess daemon;
  static Map<String, String> env;
  static String image;

  @BeforeAll
  static void startDaemonAndRegistry() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(DOCKER), "the docker CLI is not at " + DOCKER + ": get the static "
        + "binary (docker-28.x.tgz) from https://download.docker.com/linux/static/stable/x86_64/ and put its 'docker'"
        + " there (only the CLI is needed, not dockerd)");
    registry = LocalRegistry.start(dir.resolve("registry"));
    image = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest").pushTo(registry.host() + "/test/busybox:latest");
    daemon = BerthdProcess.start(dir.resolve("berthd"));
    env = Map.of("DOCKER_HOST", daemon.host(), "DOCKER_CONFIG", Files.createDirectories(dir.resolve("docker-config"))
        .toString());
    ok(docker("pull", "-q", image));
  }

  @AfterAll
  static void stopAll() {
    if (daemon != null) {
      for (String id : docker("ps", "-aq").stdout().lines().filter(l -> !l.isBlank()).toList()) {
        docker("rm", "-f", id);
      }
      daemon.stop();
    }
    if (registry != null) {
      registry.close();
    }
    // After a failed test: no conmon or overlay of ours may outlive the class.
    Leftovers.removeUnder(dir);
  }

  static ProcessResult docker(String... args) {
    List<String> cmd = new ArrayList<>(List.of(DOCKER.toString()));
    cmd.addAll(List.of(args));
    return Commands.run(cmd, env, Duration.ofMinutes(1));
  }

  /** Runs a docker command under a pseudo-terminal (script), as a user at a terminal would, typing {@code input}. */
  static ProcessResult dockerInTerminal(String input, String... args) throws IOException {
    StringBuilder line = new StringBuilder(DOCKER.toString());
    for (String a : args) {
      line.append(" '").append(a.replace("'", "'\\''")).append('\'');
    }
    Path in = Files.writeString(Files.createTempFile(dir, "stdin", ".txt"), input);
    return Commands.run(List.of("script", "-qec", line.toString(), "/dev/null"), env, in, Duration.ofMinutes(1));
  }

  static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  static String out(String... args) {
    return ok(docker(args)).stdout().strip();
  }

  @Test
  @Order(1)
  void versionInfoAndDiskUsage() {
    String version = out("version");
    assertThat(version).contains("Client:").contains("Server: Berth Engine").containsPattern("API version: +1\\.51 \\(minimum version 1\\.24\\)");
    assertThat(out("info", "--format", "{{.ServerVersion}} {{.OSType}}")).endsWith(" linux");
    String df = out("system", "df");
    assertThat(df.lines().findFirst().orElseThrow()).matches("TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE");
    assertThat(df).containsPattern("Images +1 +0 +[0-9.]+[kM]B");
    assertThat(out("system", "df", "--format", "{{.Type}}:{{.TotalCount}}")).contains("Images:1", "Containers:0",
        "Local Volumes:0", "Build Cache:0");
    assertThat(out("system", "df", "-v")).contains("Images space usage:", "test/busybox");
  }

  @Test
  @Order(2)
  void imagesTagPushRmiSaveLoadAndImport() throws IOException {
    String since = unixNow();
    assertThat(out("images", "--format", "{{.Repository}}:{{.Tag}}")).contains(registry.host() + "/test/busybox:latest");
    String id = out("image", "inspect", "--format", "{{.Id}}", image);
    assertThat(id).startsWith("sha256:");

    String pushed = registry.host() + "/test/copy:v2";
    ok(docker("tag", image, pushed));
    assertThat(out("push", pushed)).contains("v2: digest: sha256:");
    ok(docker("rmi", pushed));
    assertThat(docker("image", "inspect", pushed).exitCode()).isNotZero();
    assertThat(out("pull", pushed)).contains("Status: ");
    assertThat(out("image", "inspect", "--format", "{{.Id}}", pushed)).isEqualTo(id);

    Path saved = dir.resolve("saved.tar");
    ok(docker("save", "-o", saved.toString(), pushed));
    ok(docker("rmi", pushed));
    assertThat(out("load", "-i", saved.toString())).contains("Loaded image: " + pushed);
    assertThat(out("image", "inspect", "--format", "{{.Id}}", pushed)).isEqualTo(id);
    ok(docker("rmi", pushed));

    // export then import: a container's rootfs becomes a one-layer image that runs.
    ok(docker("create", "--name", "exported", image, "true"));
    Path rootfs = dir.resolve("rootfs.tar");
    ok(docker("export", "-o", rootfs.toString(), "exported"));
    assertThat(Commands.run(List.of("tar", "-tf", rootfs.toString()), Duration.ofSeconds(30)).stdout())
        .contains("bin/busybox", "etc/passwd").doesNotContain("etc/remove-me");
    ok(docker("import", "-c", "CMD [\"echo\",\"imported\"]", rootfs.toString(), "imported:1"));
    assertThat(out("run", "--rm", "imported:1")).isEqualTo("imported");
    ok(docker("rm", "exported"));
    ok(docker("rmi", "imported:1"));

    String imageEvents = out("events", "--since", since, "--until", unixNow(), "--filter", "type=image", "--format",
        "{{.Action}}");
    assertThat(imageEvents.lines().distinct().toList()).contains("tag", "push", "untag", "pull", "save", "load",
        "import", "delete");
  }

  static String unixNow() {
    Instant t = Instant.now();
    return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
  }

  @Test
  @Order(3)
  void runWithItsOptions() throws IOException {
    assertThat(out("run", "--rm", image, "echo", "hi")).isEqualTo("hi");
    assertThat(docker("run", "--rm", image, "sh", "-c", "exit 3").exitCode()).isEqualTo(3);
    assertThat(out("run", "--rm", "-e", "GREETING=hello", "-w", "/tmp", "-u", "nobody", image, "sh", "-c",
        "echo $GREETING $(pwd) $(id -u)")).isEqualTo("hello /tmp 65534");
    assertThat(out("run", "--rm", "--entrypoint", "echo", image, "from", "entrypoint")).isEqualTo("from entrypoint");
    assertThat(out("ps", "-aq")).isEmpty(); // --rm removed them all

    String id = out("run", "-d", "--name", "limited", "--memory", "64m", image, "sleep", "300");
    assertThat(out("inspect", "--format", "{{.Name}} {{.HostConfig.Memory}} {{.State.Running}}", "limited"))
        .isEqualTo("/limited 67108864 true");
    assertThat(out("ps", "--no-trunc", "-q", "--filter", "name=limited")).isEqualTo(id);
    ok(docker("rm", "-f", "limited"));

    ProcessResult tty = dockerInTerminal("", "run", "-it", "--rm", image, "sh", "-c", "tty; echo ok-$((40+2))");
    assertThat(tty.exitCode()).as(tty.toString()).isZero();
    assertThat(tty.stdout()).contains("/dev/pts/").contains("ok-42");
  }

  @Test
  @Order(4)
  void oneContainerThroughItsLifecycle() {
    String id = out("create", "--name", "life", "--label", "suite=cli", image, "sh", "-c",
        "i=0; while true; do echo line-$i; i=$((i+1)); sleep 0.2; done");
    assertThat(out("ps", "-a", "--filter", "label=suite=cli", "--filter", "status=created", "--format",
        "{{.Names}} {{.State}}")).isEqualTo("life created");
    ok(docker("start", "life"));
    assertThat(Poll.until(Duration.ofSeconds(10), () -> docker("logs", "life").stdout().contains("line-3"))).isTrue();
    assertThat(out("ps", "--format", "{{.ID}} {{.Names}} {{.Status}}")).containsPattern(id.substring(0, 12)
        + " life Up .*");
    assertThat(out("logs", "--tail", "1", "life").lines().count()).isEqualTo(1);
    assertThat(out("logs", "-t", "--tail", "1", "life")).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z line-\\d+");
    ProcessResult follow = Commands.run(List.of("timeout", "2", DOCKER.toString(), "logs", "-f", "--tail", "0", "life"),
        env, Duration.ofSeconds(20));
    assertThat(follow.stdout()).as("logs -f streams new lines").contains("line-");
    assertThat(out("top", "life")).contains("PID").contains("sleep 0.2").satisfiesAnyOf(
        t -> assertThat(t).contains("while true"), t -> assertThat(t).contains("sh -c"));
    assertThat(out("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "life")).matches("life [1-9]\\d*");

    ok(docker("pause", "life"));
    assertThat(out("inspect", "-f", "{{.State.Status}}", "life")).isEqualTo("paused");
    ok(docker("unpause", "life"));
    assertThat(out("inspect", "-f", "{{.State.Status}}", "life")).isEqualTo("running");

    ok(docker("rename", "life", "life2"));
    assertThat(out("inspect", "-f", "{{.Name}}", id)).isEqualTo("/life2");
    ok(docker("restart", "-t", "1", "life2"));
    assertThat(out("inspect", "-f", "{{.State.Running}} {{.RestartCount}}", "life2")).isEqualTo("true 1");
    ok(docker("kill", "-s", "KILL", "life2"));
    assertThat(out("wait", "life2")).isEqualTo("137");
    assertThat(out("ps", "-a", "--filter", "exited=137", "--format", "{{.Names}}")).isEqualTo("life2");
    ok(docker("start", "life2"));
    ok(docker("stop", "-t", "1", "life2"));
    assertThat(out("inspect", "-f", "{{.State.Status}}", "life2")).isEqualTo("exited");
    ok(docker("rm", "life2"));
    assertThat(docker("inspect", "life2").stderr()).contains("No such object: life2");
  }

  @Test
  @Order(5)
  void execFilesDiffAndCommit() throws IOException {
    String since = unixNow();
    ok(docker("run", "-d", "--name", "files", image, "sleep", "300"));
    assertThat(out("exec", "-u", "nobody", "-w", "/tmp", "files", "sh", "-c", "echo $(id -u) $(pwd)"))
        .isEqualTo("65534 /tmp");
    ProcessResult it = dockerInTerminal("echo typed-$((6*7))\nexit\n", "exec", "-it", "files", "sh");
    assertThat(it.stdout()).as(it.toString()).contains("typed-42");

    // cp into the container: a file into a directory, a directory under a new name, a file renamed.
    Path local = Files.createDirectories(dir.resolve("local/tree/sub"));
    Files.writeString(local.resolve("a.txt"), "alpha\n");
    Path single = Files.writeString(dir.resolve("local/one.txt"), "one\n");
    ok(docker("cp", single.toString(), "files:/tmp/"));
    ok(docker("cp", dir.resolve("local/tree").toString(), "files:/copied"));
    ok(docker("cp", single.toString(), "files:/etc/renamed.txt"));
    assertThat(out("exec", "files", "cat", "/tmp/one.txt", "/copied/sub/a.txt", "/etc/renamed.txt"))
        .isEqualTo("one\nalpha\none");
    ok(docker("exec", "files", "sh", "-c", "rm /etc/layer3 && ln -s /etc/passwd /tmp/link"));

    // cp out: a file, a directory, a symlink with -L, and an archive on stdout.
    Path back = Files.createDirectories(dir.resolve("back"));
    ok(docker("cp", "files:/etc/passwd", back.toString()));
    assertThat(back.resolve("passwd")).content().contains("nobody:x:65534");
    ok(docker("cp", "files:/copied", back.resolve("dir").toString()));
    assertThat(back.resolve("dir/sub/a.txt")).hasContent("alpha");
    ok(docker("cp", "-L", "files:/tmp/link", back.resolve("followed").toString()));
    assertThat(back.resolve("followed")).content().contains("root:x:0:0");
    ProcessResult missing = docker("cp", "files:/nope", back.toString());
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.stderr()).contains("/nope");

    assertThat(out("diff", "files")).contains("A /copied", "A /copied/sub/a.txt", "C /etc", "A /etc/renamed.txt",
        "D /etc/layer3", "A /tmp/one.txt").doesNotContain("/etc/hostname", "/proc");

    String newId = out("commit", "-a", "tester", "-m", "with files", "-c", "ENV COMMITTED=yes", "files",
        "committed:1");
    assertThat(newId).startsWith("sha256:");
    assertThat(out("run", "--rm", "committed:1", "sh", "-c", "cat /copied/sub/a.txt; echo $COMMITTED; "
        + "test -e /etc/layer3 || echo layer3-gone")).isEqualTo("alpha\nyes\nlayer3-gone");
    assertThat(out("image", "inspect", "-f", "{{.Author}} {{len .RootFS.Layers}}", "committed:1"))
        .isEqualTo("tester 4");
    assertThat(out("history", "--format", "{{.Comment}}", "committed:1")).startsWith("with files");
    assertThat(out("inspect", "-f", "{{.State.Status}}", "files")).isEqualTo("running"); // unpaused after commit
    ok(docker("rm", "-f", "files"));
    ok(docker("rmi", "committed:1"));
    assertThat(out("events", "--since", since, "--until", unixNow(), "--filter", "container=files", "--format",
        "{{.Action}}").lines().map(a -> a.replaceFirst(":.*", "")).distinct().toList())
        .contains("exec_create", "exec_start", "exec_die", "extract-to-dir", "archive-path", "pause", "commit",
            "unpause", "kill", "die", "destroy");
  }

  @Test
  @Order(6)
  void eventsSinceUntilAndFilters() {
    Instant start = Instant.now();
    assertThat(docker("run", "--name", "evented", "--label", "ev=1", image, "sh", "-c", "exit 4").exitCode()).isEqualTo(4);
    ok(docker("rm", "evented"));
    String since = start.getEpochSecond() + "." + String.format("%09d", start.getNano());
    String until = Long.toString(Instant.now().getEpochSecond() + 1);
    Poll.until(Duration.ofSeconds(2), () -> Instant.now().getEpochSecond() > Long.parseLong(until));
    String all = out("events", "--since", since, "--until", until, "--filter", "container=evented",
        "--format", "{{.Action}}");
    assertThat(all.lines().toList()).containsSubsequence("create", "attach", "start", "die", "destroy");
    assertThat(out("events", "--since", since, "--until", until, "--filter", "event=die", "--filter", "label=ev=1",
        "--format", "{{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}")).isEqualTo("evented 4");
    assertThat(out("events", "--since", since, "--until", until, "--filter", "type=image")).isEmpty();
    String line = out("events", "--since", since, "--until", until, "--filter", "event=destroy");
    assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\S+ container destroy [0-9a-f]{64} \\(.*ev=1.*name=evented.*\\)");

    // A live stream: it shows what happens while it runs, then ends at --until.
    Instant liveUntil = Instant.now().plusSeconds(4);
    Thread runner = Thread.ofVirtual().start(() -> {
      Poll.until(Duration.ofSeconds(1), () -> false); // give the stream a moment to subscribe
      docker("tag", image, "live:tag");
    });
    ProcessResult live = docker("events", "--until", Long.toString(liveUntil.getEpochSecond()), "--filter",
        "type=image", "--format", "{{.Action}} {{.Actor.Attributes.name}}");
    runner.interrupt();
    assertThat(live.stdout()).contains("tag live:tag");
    ok(docker("rmi", "live:tag"));
  }

  @Test
  @Order(7)
  void networksVolumesAndPublishedPorts() throws Exception {
    assertThat(out("network", "ls", "--format", "{{.Name}} {{.Driver}}").lines())
        .contains("bridge bridge", "host host", "none null");
    assertThat(out("network", "inspect", "-f", "{{.Driver}} {{.Scope}}", "none")).isEqualTo("null local");
    assertThat(docker("network", "rm", "host").stderr()).contains("host is a pre-defined network and cannot be removed");
    ok(docker("network", "create", "--label", "suite=cli", "clinet"));
    assertThat(out("network", "ls", "--filter", "label=suite=cli", "--format", "{{.Name}} {{.Driver}}"))
        .isEqualTo("clinet bridge");
    assertThat(out("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "clinet")).contains("/");
    ok(docker("volume", "create", "clivol"));
    assertThat(out("volume", "ls", "--format", "{{.Driver}} {{.Name}}")).contains("local clivol");
    assertThat(out("volume", "inspect", "-f", "{{.Mountpoint}}", "clivol")).endsWith("/volumes/clivol/_data");

    ok(docker("run", "--rm", "-v", "clivol:/data", image, "sh", "-c", "echo kept > /data/f"));
    ok(docker("run", "-d", "--name", "web", "--network", "clinet", "--network-alias", "site", "-v", "clivol:/www:ro",
        "-p", "127.0.0.1::80", image, "httpd", "-f", "-p", "80", "-h", "/www"));
    String hostPort = out("port", "web", "80/tcp");
    assertThat(hostPort).startsWith("127.0.0.1:");
    HttpResponse<String> page;
    try (HttpClient http = HttpClient.newHttpClient()) {
      page = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/f")).timeout(Duration.ofSeconds(10))
          .build(), HttpResponse.BodyHandlers.ofString());
    }
    assertThat(page.body()).isEqualTo("kept\n");
    String viaAlias = out("run", "--rm", "--network", "clinet", image, "sh", "-c",
        "printf 'GET /f HTTP/1.0\\r\\n\\r\\n' | nc -w 5 site 80");
    assertThat(viaAlias).contains("200 OK").endsWith("kept");
    assertThat(out("stats", "--no-stream", "--format", "{{.NetIO}}", "web")).doesNotStartWith("0B");
    assertThat(docker("run", "--rm", "-v", "clivol:/data:ro", image, "touch", "/data/g").exitCode()).isNotZero();

    ok(docker("network", "connect", "bridge", "web"));
    assertThat(out("inspect", "-f", "{{len .NetworkSettings.Networks}}", "web")).isEqualTo("2");
    ok(docker("network", "disconnect", "bridge", "web"));
    assertThat(docker("volume", "rm", "clivol").stderr()).contains("in use");
    assertThat(docker("network", "rm", "clinet").exitCode()).isNotZero();
    ok(docker("rm", "-f", "web"));
    ok(docker("network", "rm", "clinet"));
    ok(docker("volume", "rm", "clivol"));
    assertThat(out("volume", "ls", "-q")).doesNotContain("clivol");
  }

  @Test
  @Order(99)
  void systemPruneRemovesStoppedContainersAndDanglingImages() {
    String running = out("run", "-d", "--name", "keeper", image, "sleep", "300");
    String stopped = out("create", "--name", "stopped", image, "true");
    ok(docker("tag", image, "dangling:1"));
    ok(docker("run", "--name", "committer", image, "sh", "-c", "echo x > /x"));
    String danglingId = out("commit", "committer");
    ok(docker("rm", "committer"));
    String pruned = out("system", "prune", "-f");
    assertThat(pruned).contains("Deleted Containers:", stopped).contains("Deleted Images:", danglingId)
        .contains("Total reclaimed space:").doesNotContain(running);
    assertThat(out("ps", "-aq", "--no-trunc")).isEqualTo(running);
    assertThat(out("images", "-q", "--no-trunc")).doesNotContain(danglingId);
    assertThat(out("images", "--format", "{{.Repository}}")).contains("dangling"); // tagged: kept without -a
    ok(docker("rm", "-f", "keeper"));
  }
}
