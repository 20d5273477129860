package dev.berth.engine.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A peer engine (dockerd through the docker CLI, or podman) driven by its own CLI, so it is
 * measured as its users meet it. Its start times include the CLI's own start; the other figures
 * are taken inside the instance or on its host processes, as for Berth's rows.
 */
final class CliInstances implements Instances, AutoCloseable {
  private final String kind;
  private final List<String> cli;
  private final String image;
  private final String runId;
  private final Set<String> live = ConcurrentHashMap.newKeySet();

  /** {@code cli} is the command and its global flags, e.g. {@code docker -H unix:///run/docker.sock}. */
  CliInstances(String kind, List<String> cli, String image, String runId) {
    this.kind = kind;
    this.cli = List.copyOf(cli);
    this.image = image;
    this.runId = runId;
  }

  /** An executable on PATH, as the shell would find it. */
  static Optional<Path> onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : path.split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public String startMethod() {
    return "the " + kind + " CLI: `" + String.join(" ", cli) + " run --rm IMAGE sh -c …` launched from berthd; the clock"
        + " starts at the launch and stops at the CLI's first stdout byte (first output) and its exit (exit), so the"
        + " CLI's own start is included, unlike Berth's rows; default network";
  }

  @Override
  public String accelerator() {
    return "none";
  }

  /** Null when the peer answers and has the image, else why it cannot be measured. */
  String unavailable(Duration timeout) {
    Result v = run(args("version"), timeout);
    if (v.code != 0) {
      return kind + " does not answer (`" + String.join(" ", cli) + " version`: " + v.err.strip() + ")";
    }
    return null;
  }

  boolean hasImage(Duration timeout) {
    return run(args("image", "inspect", image), timeout).code == 0;
  }

  /** Loads the image (a docker-save archive) into the peer's store. */
  void load(ImageSave save, Duration timeout) throws Exception {
    Process p = new ProcessBuilder(args("load")).redirectErrorStream(true).start();
    try {
      try (var in = p.getOutputStream()) {
        save.writeTo(in);
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(kind + " load failed: " + out.strip());
      }
    } finally {
      p.destroyForcibly();
    }
  }

  interface ImageSave {
    void writeTo(java.io.OutputStream out) throws IOException;
  }

  @Override
  public StartSample runToExit(String script, Duration timeout) throws Exception {
    List<String> cmd = args("run", "--rm", "--label", EngineInstances.LABEL + "=" + runId, image, "sh", "-c", script);
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (InputStream out = p.getInputStream()) {
      long first = out.read() >= 0 ? System.nanoTime() - t0 : -1;
      out.transferTo(java.io.OutputStream.nullOutputStream());
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(kind + " run did not end within " + timeout);
      }
      long exited = System.nanoTime() - t0;
      if (first < 0 || p.exitValue() != 0) {
        throw new IllegalStateException(kind + " run exited " + p.exitValue() + " without output");
      }
      return new StartSample(first, exited);
    } finally {
      p.destroyForcibly();
    }
  }

  @Override
  public Instance startIdle(String script, boolean publish, Duration timeout) throws Exception {
    List<String> cmd = args("run", "-d", "--label", EngineInstances.LABEL + "=" + runId);
    if (publish) {
      cmd.addAll(List.of("-p", "127.0.0.1::" + SERVER_PORT));
    }
    cmd.addAll(List.of(image, "sh", "-c", script));
    Result r = check(run(cmd, timeout), "run -d");
    String id = r.out.strip();
    live.add(id);
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!run(args("logs", id), timeout).out.contains("ready")) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(kind + " instance " + id + " was not ready within " + timeout);
        }
        Thread.sleep(50); // polling the peer's logs; the deadline above bounds it
      }
      String ip = check(run(args("inspect", "-f",
          "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", id), timeout), "inspect").out.strip().split(" ")[0];
      int hostPort = 0;
      if (publish) {
        String port = check(run(args("port", id, SERVER_PORT + "/tcp"), timeout), "port").out.strip().split("\n")[0];
        hostPort = Integer.parseInt(port.substring(port.lastIndexOf(':') + 1).strip());
      }
      return new Instance(id, ip, hostPort);
    } catch (Exception | Error e) {
      remove(new Instance(id, "", 0));
      throw e;
    }
  }

  @Override
  public String exec(Instance instance, String script, Duration timeout) {
    return check(run(args("exec", instance.id(), "sh", "-c", script), timeout), "exec").out;
  }

  /** The container's init and its descendants, plus its parent (containerd-shim for dockerd, conmon for podman). */
  @Override
  public List<Long> pids(Instance instance) {
    long init = Long.parseLong(check(run(args("inspect", "-f", "{{.State.Pid}}", instance.id()), Duration.ofSeconds(30)),
        "inspect").out.strip());
    Set<Long> pids = new LinkedHashSet<>();
    long parent = EngineInstances.parentOf(init);
    if (parent > 1) {
      pids.add(parent);
    }
    List<Long> todo = new ArrayList<>(List.of(init));
    while (!todo.isEmpty()) {
      long p = todo.removeLast();
      if (pids.add(p)) {
        todo.addAll(children(p));
      }
    }
    return List.copyOf(pids);
  }

  private static List<Long> children(long pid) {
    List<Long> out = new ArrayList<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path t : tasks.toList()) {
        for (String c : Files.readString(t.resolve("children")).trim().split("\\s+")) {
          if (!c.isEmpty()) {
            out.add(Long.parseLong(c));
          }
        }
      }
    } catch (IOException | RuntimeException gone) {
      return out;
    }
    return out;
  }

  @Override
  public void remove(Instance instance) {
    run(args("rm", "-f", instance.id()), Duration.ofMinutes(1));
    live.remove(instance.id());
  }

  @Override
  public void close() {
    for (String id : List.copyOf(live)) {
      remove(new Instance(id, "", 0));
    }
  }

  private List<String> args(String... more) {
    List<String> all = new ArrayList<>(cli);
    all.addAll(List.of(more));
    return all;
  }

  private record Result(int code, String out, String err) {}

  private Result check(Result r, String what) {
    if (r.code != 0) {
      throw new IllegalStateException(kind + " " + what + " failed (" + r.code + "): " + r.err.strip());
    }
    return r;
  }

  private static Result run(List<String> cmd, Duration timeout) {
    try {
      Path err = Files.createTempFile("berth-bench", ".err");
      try {
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
            new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          return new Result(-1, out, "timed out after " + timeout);
        }
        return new Result(p.exitValue(), out, Files.readString(err));
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      return new Result(-1, "", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "", "interrupted");
    }
  }
}
