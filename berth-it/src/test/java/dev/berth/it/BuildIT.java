package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.Commands;
import dev.berth.testkit.DockerdProcess;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Images built through {@code POST /build} by every client that calls it — {@code berth build},
 * the docker CLI's classic builder, docker-compose 1.29 and docker-py — then run; and the
 * stream compared with dockerd 20.10's for one build.
 */
@Tag("integration")
class BuildIT extends BusyboxDaemonTest {
  static final Path DOCKER = Path.of("/usr/local/bin/docker");
  static final Path COMPOSE = Path.of("/usr/bin/docker-compose");

  @AfterEach
  void noContainerLeft() {
    env.removeAllContainers();
  }

  private static Path context(String name, String dockerfile, String... files) throws IOException {
    Path ctx = Files.createDirectories(dir.resolve(name));
    if (dockerfile != null) {
      Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    }
    for (int i = 0; i < files.length; i += 2) {
      Path f = ctx.resolve(files[i]);
      Files.createDirectories(f.getParent());
      Files.writeString(f, files[i + 1]);
    }
    return ctx;
  }

  private static List<String> buildContextDirsLeft() {
    Path tmp = daemon.dataRoot().resolve("tmp");
    if (!Files.isDirectory(tmp)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("build-context-")).toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aMultiStageBuildRunsAndItsContextIsGone() throws IOException {
    Path ctx = context("multi", """
        FROM %s AS compile
        RUN echo compiled > /artifact
        FROM %s
        COPY --from=compile /artifact /app/artifact
        COPY greeting.txt /app/
        ENV WHO=berth
        CMD ["sh", "-c", "cat /app/artifact /app/greeting.txt; echo $WHO"]
        """.formatted(image, image), "greeting.txt", "hello\n");
    ProcessResult built = ok(berth("build", "-t", "built/multi:1", ctx.toString()));
    assertThat(built.stdout()).startsWith("Sending build context to Berth daemon")
        .contains("Step 1/7 : FROM " + image + " AS compile").contains("Step 7/7 : CMD")
        .contains("Successfully built ").endsWith("Successfully tagged built/multi:1\n");
    assertThat(ok(berth("run", "--rm", "built/multi:1")).stdout()).isEqualTo("compiled\nhello\nberth\n");
    assertThat(buildContextDirsLeft()).isEmpty();

    // unchanged: every step from the cache; the terminal view says so
    ProcessResult again = ok(berth("build", "--progress", "tty", "-t", "built/multi:1", ctx.toString()));
    assertThat(again.stdout()).contains("] RUN echo compiled > /artifact  CACHED").contains("[+] Built in")
        .contains("Successfully tagged built/multi:1");
  }

  @Test
  void theCacheShowsInDfAndBuilderPruneEmptiesIt() throws IOException {
    Path ctx = context("cache", "FROM " + image + "\nRUN echo cached > /c\n");
    ok(berth("build", ctx.toString())); // untagged: its steps are dangling cache
    String df = ok(berth("system", "df", "--format", "{{.Type}} {{.TotalCount}}")).stdout();
    assertThat(df).containsPattern("Build Cache [1-9]");
    ProcessResult pruned = ok(berth("builder", "prune", "-a", "-f"));
    assertThat(pruned.stdout()).startsWith("Deleted build cache objects:\n").contains("Total reclaimed space:");
    assertThat(ok(berth("system", "df", "--format", "{{.Type}} {{.TotalCount}}")).stdout()).contains("Build Cache 0");
  }

  @Test
  void aDockerfileOutsideTheContextAndOneOnStdin() throws IOException {
    Path ctx = context("outside-ctx", null, "data.txt", "from the context\n");
    Path elsewhere = Files.writeString(dir.resolve("Dockerfile.elsewhere"), "FROM " + image + "\nCOPY . /ctx/\n");
    ok(berth("build", "-t", "built/outside:1", "-f", elsewhere.toString(), ctx.toString()));
    // the Dockerfile came beside the context (.dockerfile.<random>, named in the .dockerignore)
    assertThat(ok(berth("run", "--rm", "built/outside:1", "cat", "/ctx/data.txt")).stdout())
        .isEqualTo("from the context\n");
    // dockerd then drops both from the context (removeDockerfile); the engine's COPY still
    // sees them (BuildService keeps the build files): a known difference, see compatibility.md

    Path stdin = Files.writeString(dir.resolve("stdin.Dockerfile"), "FROM " + image + "\nRUN echo piped > /p\n");
    ProcessResult piped = Commands.run(Commands.berthCommand(daemon.host(), "build", "-t", "built/stdin:1", "-"),
        Map.of(), stdin, Duration.ofMinutes(2));
    assertThat(piped.exitCode()).as(piped.toString()).isZero();
    assertThat(ok(berth("run", "--rm", "built/stdin:1", "cat", "/p")).stdout()).isEqualTo("piped\n");
  }

  @Test
  void dockerignoreIsHonouredAndIidfileWritten() throws IOException {
    Path ctx = context("ignore", "FROM " + image + "\nCOPY . /ctx/\n", ".dockerignore", "*.log\nsecret/\n!keep.log\n",
        "app.txt", "a", "debug.log", "noise", "keep.log", "kept", "secret/key", "k");
    Path iid = dir.resolve("iid.txt");
    ok(berth("build", "-q", "--iidfile", iid.toString(), "-t", "built/ignore:1", ctx.toString()));
    String id = Files.readString(iid);
    assertThat(id).matches("sha256:[0-9a-f]{64}");
    assertThat(ok(berth("image", "inspect", "-f", "{{.Id}}", "built/ignore:1")).stdout().strip()).isEqualTo(id);
    assertThat(ok(berth("run", "--rm", "built/ignore:1", "ls", "-a", "/ctx")).stdout().lines().toList())
        .containsExactlyInAnyOrder(".", "..", ".dockerignore", "Dockerfile", "app.txt", "keep.log");
  }

  @Test
  void aFailingRunReportsItsCodeAndOutputAndLeavesNothing() throws IOException {
    Path ctx = context("failing", "FROM " + image + "\nRUN echo about to fail; exit 3\n");
    ProcessResult failed = berth("build", "-t", "built/failing:1", ctx.toString());
    assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(3); // as docker: the RUN's code
    assertThat(failed.stdout()).contains("Step 2/2 : RUN echo about to fail; exit 3").contains("about to fail\n");
    assertThat(failed.stderr()).contains("The command '/bin/sh -c echo about to fail; exit 3' returned a non-zero code: 3");
    assertThat(ok(berth("ps", "-aq")).stdout()).isBlank();
    assertThat(berth("image", "inspect", "built/failing:1").exitCode()).isNotZero();
    assertThat(buildContextDirsLeft()).isEmpty();
  }

  @Test
  void aClientThatHangsUpCancelsTheBuild() throws Exception {
    Path ctx = context("hang-up", "FROM " + image + "\nRUN echo started; sleep 60\n");
    Process p = new ProcessBuilder(Commands.berthCommand(daemon.host(), "build", "--no-cache", ctx.toString()))
        .redirectErrorStream(true).redirectOutput(dir.resolve("hang-up.out").toFile()).start();
    try {
      assertThat(Poll.until(Duration.ofSeconds(60), () -> read(dir.resolve("hang-up.out")).contains("started")))
          .as(read(dir.resolve("hang-up.out"))).isTrue();
      assertThat(ok(berth("ps", "-aq")).stdout()).isNotBlank();
    } finally {
      p.destroy(); // the CLI's JVM exits: its connection closes
      p.waitFor();
    }
    assertThat(Poll.until(Duration.ofSeconds(30), () -> berth("ps", "-aq").stdout().isBlank()))
        .as("the RUN container is gone").isTrue();
    assertThat(Poll.until(Duration.ofSeconds(10), () -> buildContextDirsLeft().isEmpty())).isTrue();
  }

  @Test
  void dockersClassicBuilderBuildsAndRuns() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(DOCKER), "no docker CLI at " + DOCKER);
    Path ctx = context("docker-cli", "FROM " + image + "\nARG WORD\nRUN echo $WORD > /word\nCMD [\"cat\", \"/word\"]\n");
    Map<String, String> dockerEnv = Map.of("DOCKER_HOST", daemon.host(), "DOCKER_BUILDKIT", "0",
        "DOCKER_CONFIG", Files.createDirectories(dir.resolve("docker-config")).toString());
    ProcessResult built = Commands.run(List.of(DOCKER.toString(), "build", "--build-arg", "WORD=classic",
        "-t", "built/docker:1", ctx.toString()), dockerEnv, Duration.ofMinutes(2));
    assertThat(built.exitCode()).as(built.toString()).isZero();
    assertThat(built.stdout()).contains("Successfully tagged built/docker:1");
    ProcessResult run = Commands.run(List.of(DOCKER.toString(), "run", "--rm", "built/docker:1"), dockerEnv,
        Duration.ofMinutes(1));
    assertThat(run.stdout()).as(run.toString()).isEqualTo("classic\n");

    // without DOCKER_BUILDKIT=0 too: /_ping's Builder-Version: 1 sends the CLI (no buildx here) to /build
    Map<String, String> plainEnv = new HashMap<>(dockerEnv);
    plainEnv.remove("DOCKER_BUILDKIT");
    ProcessResult plain = Commands.run(List.of(DOCKER.toString(), "build", "-q", ctx.toString()), plainEnv,
        Duration.ofMinutes(2));
    assertThat(plain.exitCode()).as(plain.toString()).isZero();
    assertThat(plain.stdout().strip()).matches("sha256:[0-9a-f]{64}");
  }

  @Test
  void composeBuildsThenUpAndDown() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(COMPOSE), "no docker-compose at " + COMPOSE);
    Path project = context("compose", "FROM " + image + "\nRUN echo composed > /c\nCMD [\"cat\", \"/c\"]\n",
        "docker-compose.yml", "version: '3'\nservices:\n  app:\n    build: .\n    image: built/compose:1\n");
    Map<String, String> composeEnv = new HashMap<>(Map.of("DOCKER_HOST", daemon.host(),
        "COMPOSE_DOCKER_CLI_BUILD", "0", "DOCKER_BUILDKIT", "0", "COMPOSE_PROJECT_NAME", "berthbuild"));
    List<String> base = List.of(COMPOSE.toString(), "-f", project.resolve("docker-compose.yml").toString());
    ProcessResult build = Commands.run(concat(base, "build"), composeEnv, Duration.ofMinutes(2));
    assertThat(build.exitCode()).as(build.toString()).isZero();
    ProcessResult up = Commands.run(concat(base, "up", "--no-color"), composeEnv, Duration.ofMinutes(2));
    assertThat(up.exitCode()).as(up.toString()).isZero();
    assertThat(up.stdout()).contains("composed");
    ProcessResult down = Commands.run(concat(base, "down"), composeEnv, Duration.ofMinutes(1));
    assertThat(down.exitCode()).as(down.toString()).isZero();
  }

  @Test
  void dockerPyBuildsFromAFileobjAndACustomContext() throws IOException {
    Assumptions.assumeTrue(Commands.run(List.of("python3", "-c", "import docker"), Duration.ofSeconds(30))
        .exitCode() == 0, "python3-docker is not installed");
    Path script = Files.writeString(dir.resolve("build.py"), """
        import io, sys, tarfile, docker
        client = docker.DockerClient(base_url=sys.argv[1])
        df = b"FROM %s\\nRUN echo py > /py\\n"
        image, logs = client.images.build(fileobj=io.BytesIO(df), tag="built/py:1", rm=True)
        print("built", image.id, sum(1 for l in logs if "stream" in l))
        ctx = io.BytesIO()
        with tarfile.open(fileobj=ctx, mode="w:gz") as t:
            for name, data in [("Dockerfile", b"FROM built/py:1\\nCOPY x /x\\n"), ("x", b"custom\\n")]:
                info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
        ctx.seek(0)
        image2, _ = client.images.build(fileobj=ctx, custom_context=True, encoding="gzip", tag="built/py:2")
        print(client.containers.run("built/py:2", "cat /py /x", remove=True).decode(), end="")
        try:
            client.images.build(fileobj=io.BytesIO(b"FROM %s\\nRUN exit 7\\n"))
        except docker.errors.BuildError as e:
            print("error:", e.msg)
        """.formatted(image, image));
    ProcessResult r = Commands.run(List.of("python3", script.toString(), daemon.host()), Duration.ofMinutes(3));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).containsPattern("built sha256:[0-9a-f]{64} [1-9]")
        .contains("py\ncustom\n").contains("error: The command '/bin/sh -c exit 7' returned a non-zero code: 7");
  }

  /** The same build through dockerd 20.10 and berthd: the same kinds of message in the same order. */
  @Test
  void theStreamHasDockerdsMessagesInDockerdsOrder() throws IOException {
    Assumptions.assumeTrue(DockerdProcess.available(), "no dockerd");
    Path ctx = context("compare", "FROM " + image + "\nRUN echo hi > /f\nCOPY a.txt /\nRUN cat /f /a.txt\n",
        "a.txt", "a\n");
    Path tar = dir.resolve("compare.tar");
    assertThat(Commands.run(List.of("tar", "-C", ctx.toString(), "-cf", tar.toString(), "."), Duration.ofSeconds(30))
        .exitCode()).isZero();
    try (DockerdProcess dockerd = DockerdProcess.start(dir.resolve("dockerd"))) {
      ProcessResult pulled = dockerd.docker("pull", "-q", image);
      assertThat(pulled.exitCode()).as(pulled.toString()).isZero();
      List<String> theirs = kinds(post(dockerd.host(), tar));
      List<String> ours = kinds(post(daemon.host(), tar));
      assertThat(ours).isEqualTo(theirs);
      assertThat(ours).contains("step", "running-in", "output", "removing", "id", "aux", "built", "tagged");
    }
  }

  private static String post(String host, Path tar) {
    ProcessResult r = Commands.run(List.of("curl", "-sS", "--unix-socket", host.substring("unix://".length()),
        "-X", "POST", "-H", "Content-Type: application/x-tar", "--data-binary", "@" + tar,
        "http://d/v1.41/build?t=compare:1&nocache=1"), Duration.ofMinutes(2));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r.stdout();
  }

  /** Each message as its kind: step, newline, running-in, output, removing, id, aux, built, tagged, error. */
  private static List<String> kinds(String stream) throws IOException {
    List<String> out = new ArrayList<>();
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    for (String line : stream.lines().filter(l -> !l.isBlank()).toList()) {
      var msg = mapper.readTree(line);
      if (msg.has("aux")) {
        out.add("aux");
      } else if (msg.has("error")) {
        out.add("error");
      } else {
        String s = msg.path("stream").asText();
        out.add(s.startsWith("Step ") ? "step" : s.equals("\n") ? "newline" : s.startsWith(" ---> Running in ")
            ? "running-in" : s.startsWith("Removing intermediate container ") ? "removing"
            : s.startsWith(" ---> ") ? "id" : s.startsWith("Successfully built ") ? "built"
            : s.startsWith("Successfully tagged ") ? "tagged" : "output");
        if (out.size() > 1 && out.getLast().equals("output") && out.get(out.size() - 2).equals("output")) {
          out.removeLast(); // how a RUN's output is cut into messages depends on its writes' timing
        }
      }
    }
    return out;
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }
}
