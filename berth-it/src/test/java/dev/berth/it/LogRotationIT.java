package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code --log-opt max-size/max-file}: json-file's rotation of conmon's log, through a real
 * berthd, runc and conmon, with the berth and docker CLIs.
 */
@Tag("integration")
class LogRotationIT extends BusyboxDaemonTest {
  private static final Path DOCKER = Path.of("/usr/local/bin/docker");
  private static final long MAX_SIZE = 10_000;
  /** A line of about 115 bytes (150 in the k8s-file log), numbered. */
  private static final String PRINT_LINE = "printf 'line %05d %s\\n' $i " + "x".repeat(100) + "; i=$((i+1))";


  @AfterEach
  void removeContainers() {
    removeAll(daemon);
  }

  private static ProcessResult berth(BerthdProcess d, String... args) {
    return Commands.berth(d.host(), args);
  }

  private static void removeAll(BerthdProcess d) {
    for (String id : berth(d, "ps", "-aq", "--no-trunc").stdout().lines().filter(l -> !l.isBlank()).toList()) {
      berth(d, "rm", "-f", id);
    }
  }

  /** The log's files as json-file names them: ctr.log, ctr.log.1, … (not conmon's ctr.log.tmp). */
  private static List<Path> logFiles(BerthdProcess d, String id) {
    try (Stream<Path> files = Files.list(d.dataRoot().resolve("containers").resolve(id))) {
      return files.filter(p -> p.getFileName().toString().matches("ctr\\.log(\\.[0-9]+)?")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0; // rotated away meanwhile
    }
  }

  private static Object fileKey(Path p) {
    try {
      return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  private static String sizes(List<Path> files) {
    return files.stream().map(p -> p.getFileName() + "=" + size(p)).toList().toString();
  }

  /** The numbers of "line N" lines, in the order shown. */
  private static List<Integer> numbers(String logs) {
    return logs.lines().filter(l -> l.startsWith("line ")).map(l -> Integer.parseInt(l.substring(5, 10))).toList();
  }

  private static void assertConsecutive(List<Integer> numbers, int last) {
    assertThat(numbers).isNotEmpty();
    assertThat(numbers.getLast()).isEqualTo(last);
    for (int i = 1; i < numbers.size(); i++) {
      assertThat(numbers.get(i)).as("line after %s", numbers.get(i - 1)).isEqualTo(numbers.get(i - 1) + 1);
    }
  }

  @Test
  void aBurstEndsInAtMostMaxFileFilesAndLogsShowTheNewestLinesInOrder() {
    String id = ok(berth(daemon, "run", "-d", "--name", "burst", "--log-opt", "max-size=10k", "--log-opt", "max-file=3",
        image, "sh", "-c", "i=0; while [ $i -lt 1500 ]; do " + PRINT_LINE + "; done; echo done; exec sleep 300"))
        .stdout().strip();
    assertThat(Poll.until(Duration.ofSeconds(30), () -> berth(daemon, "logs", "--tail", "1", "burst").stdout()
        .equals("done\n"))).isTrue();
    // 1500 lines are ~225 kB in the log: it was rotated, into at most max-file files, each rotated
    // one at least max-size. How far past it a file goes depends on how soon berthd and then conmon
    // react to the burst (on a loaded machine one file can take most of it).
    assertThat(Poll.until(Duration.ofSeconds(10), () -> {
      List<Path> files = logFiles(daemon, id);
      return files.size() >= 2 && files.size() <= 3 && files.stream()
          .filter(p -> !p.getFileName().toString().equals("ctr.log")).allMatch(p -> size(p) >= MAX_SIZE);
    })).as("log files %s", sizes(logFiles(daemon, id))).isTrue();

    String logs = ok(berth(daemon, "logs", "burst")).stdout();
    assertThat(logs).endsWith("line 01499 " + "x".repeat(100) + "\ndone\n");
    List<Integer> shown = numbers(logs);
    // What is shown is the newest lines, in order, none missing: only whole files are rotated out.
    assertConsecutive(shown, 1499);
    assertThat(ok(berth(daemon, "logs", "--tail", "3", "burst")).stdout())
        .isEqualTo("line 01498 " + "x".repeat(100) + "\nline 01499 " + "x".repeat(100) + "\ndone\n");

    assertThat(ok(berth(daemon, "inspect", "-f", "{{.State.Status}} {{json .HostConfig.LogConfig}}", "burst")).stdout())
        .isEqualTo("running {\"Type\":\"json-file\",\"Config\":{\"max-file\":\"3\",\"max-size\":\"10k\"}}\n");
  }

  @Test
  void followStartedBeforeTheWritesSeesEveryLineAcrossRotations() throws Exception {
    // The container writes when told to (a file made by exec), so the follower is surely reading by then.
    ok(berth(daemon, "run", "-d", "--name", "paced", "--log-opt", "max-size=10k", "--log-opt", "max-file=2", image,
        "sh", "-c", "echo ready; while [ ! -e /tmp/go ]; do sleep 0.05; done; i=0; while [ $i -lt 300 ]; do "
            + PRINT_LINE + "; sleep 0.01; done; echo done; exec sleep 300"));
    assertThat(Poll.until(Duration.ofSeconds(10), () -> berth(daemon, "logs", "paced").stdout().equals("ready\n")))
        .isTrue();
    Path followed = dir.resolve("paced.out");
    Process follow = new ProcessBuilder(Commands.berthCommand(daemon.host(), "logs", "-f", "paced"))
        .redirectOutput(followed.toFile()).redirectErrorStream(true).start();
    try {
      assertThat(Poll.until(Duration.ofSeconds(10), () -> read(followed).startsWith("ready\n"))).isTrue();
      ok(berth(daemon, "exec", "paced", "touch", "/tmp/go"));
      assertThat(Poll.until(Duration.ofSeconds(60), () -> read(followed).endsWith("done\n")))
          .as("followed: %s", read(followed)).isTrue();
    } finally {
      follow.destroyForcibly();
    }
    String seen = read(followed);
    assertThat(seen).startsWith("ready\n");
    List<Integer> numbers = numbers(seen);
    assertThat(numbers.getFirst()).isZero();
    assertConsecutive(numbers, 299);
    // ~45 kB went through files of 10k of which two are kept: the follower saw what is gone from disk.
    assertThat(ok(berth(daemon, "logs", "paced")).stdout()).doesNotStartWith("ready\n").endsWith("done\n");
    String id = containerId("paced");
    assertThat(Poll.until(Duration.ofSeconds(10), () -> logFiles(daemon, id).size() == 2))
        .as("log files %s", sizes(logFiles(daemon, id))).isTrue();
  }

  private static String containerId(String name) {
    return ok(berth(daemon, "inspect", "-f", "{{.Id}}", name)).stdout().strip();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void containersLogOnWhileBerthdIsDownAndRotationResumesAfterItsRestart() {
    Path base = dir.resolve("restart");
    String id;
    Object overgrown;
    try (BerthdProcess first = BerthdProcess.start(base)) {
      ok(berth(first, "pull", image));
      id = ok(berth(first, "run", "-d", "--name", "steady", "--log-opt", "max-size=10k", "--log-opt", "max-file=5",
          image, "sh", "-c", "i=0; while true; do " + PRINT_LINE + "; sleep 0.01; done")).stdout().strip();
      assertThat(Poll.until(Duration.ofSeconds(30), () -> logFiles(first, id).size() >= 2)).isTrue();
      first.kill();
      // Nobody rotates now: conmon goes on writing ctr.log past max-size.
      Path log = first.dataRoot().resolve("containers").resolve(id).resolve("ctr.log");
      assertThat(Poll.until(Duration.ofSeconds(30), () -> size(log) > MAX_SIZE + 5_000)).isTrue();
      overgrown = fileKey(log);
    }
    try (BerthdProcess second = BerthdProcess.start(base)) {
      try {
        Path current = second.dataRoot().resolve("containers").resolve(id).resolve("ctr.log");
        Path newest = second.dataRoot().resolve("containers").resolve(id).resolve("ctr.log.1");
        // Reconcile watches the log again: the overgrown file is rotated at once ...
        assertThat(Poll.until(Duration.ofSeconds(10), () -> !overgrown.equals(fileKey(current))
            && size(current) < MAX_SIZE)).isTrue();
        // ... and later ones the usual way: a file after it becomes .1.
        assertThat(Poll.until(Duration.ofSeconds(30), () -> {
          Object key = fileKey(newest);
          return key != null && !key.equals(overgrown) && logFiles(second, id).size() >= 3
              && size(newest) >= MAX_SIZE;
        })).as("log files %s", sizes(logFiles(second, id))).isTrue();
        assertThat(logFiles(second, id)).allMatch(p -> size(p) <= 5 * MAX_SIZE);
        assertThat(ok(berth(second, "inspect", "-f", "{{.State.Status}}", "steady")).stdout()).isEqualTo("running\n");
        String logs = ok(berth(second, "logs", "steady")).stdout();
        List<Integer> numbers = numbers(logs);
        assertConsecutive(numbers, numbers.getLast());
      } finally {
        removeAll(second);
      }
    }
  }

  @Test
  void badLogOptionsAreRefusedNamingTheOption() {
    ProcessResult zero = berth(daemon, "run", "--rm", "--log-opt", "max-size=10k", "--log-opt", "max-file=0", image,
        "true");
    assertThat(zero.exitCode()).isEqualTo(125);
    assertThat(zero.stderr()).contains("invalid --log-opt max-file=0: max-file cannot be less than 1");
    ProcessResult size = berth(daemon, "create", "--log-opt", "max-size=12zz", image, "true");
    assertThat(size.exitCode()).isEqualTo(125);
    assertThat(size.stderr()).contains("invalid --log-opt max-size=12zz");
    ProcessResult unknown = berth(daemon, "create", "--log-opt", "foo=bar", image, "true");
    assertThat(unknown.stderr()).contains("unknown log opt 'foo' for json-file log driver");
    assertThat(ok(berth(daemon, "ps", "-aq")).stdout()).as("nothing half-created").isEmpty();
    assertThat(ok(berth(daemon, "run", "--help")).stdout()).contains("--log-opt").contains("max-size").contains("max-file");
  }

  @Test
  void theDockerCliPassesLogOptionsThrough() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(DOCKER), "the docker CLI is not at " + DOCKER);
    Map<String, String> env = Map.of("DOCKER_HOST", daemon.host(), "DOCKER_CONFIG",
        Files.createDirectories(dir.resolve("docker-config")).toString());
    List<String> run = new ArrayList<>(List.of(DOCKER.toString(), "run", "-d", "--name", "viadocker", "--log-opt",
        "max-size=10k", "--log-opt", "max-file=2", image, "sh", "-c",
        "i=0; while [ $i -lt 300 ]; do " + PRINT_LINE + "; done; echo done; exec sleep 300"));
    ok(Commands.run(run, env, Duration.ofMinutes(1)));
    assertThat(ok(Commands.run(List.of(DOCKER.toString(), "inspect", "-f", "{{json .HostConfig.LogConfig}}",
        "viadocker"), env, Duration.ofMinutes(1))).stdout())
        .isEqualTo("{\"Type\":\"json-file\",\"Config\":{\"max-file\":\"2\",\"max-size\":\"10k\"}}\n");
    assertThat(Poll.until(Duration.ofSeconds(30), () -> Commands.run(List.of(DOCKER.toString(), "logs", "--tail", "1",
        "viadocker"), env, Duration.ofMinutes(1)).stdout().equals("done\n"))).isTrue();
    String logs = ok(Commands.run(List.of(DOCKER.toString(), "logs", "viadocker"), env, Duration.ofMinutes(1))).stdout();
    assertConsecutive(numbers(logs), 299);
    // The options took effect: the log was rotated into json-file's two files.
    assertThat(Poll.until(Duration.ofSeconds(10), () -> logFiles(daemon, containerId("viadocker")).size() == 2))
        .as("log files %s", sizes(logFiles(daemon, containerId("viadocker")))).isTrue();

    ProcessResult unknown = Commands.run(List.of(DOCKER.toString(), "run", "--rm", "--log-opt", "foo=bar", image,
        "true"), env, Duration.ofMinutes(1));
    assertThat(unknown.exitCode()).isEqualTo(125);
    assertThat(unknown.stderr()).contains("unknown log opt 'foo' for json-file log driver");
  }
}
