package dev.berth.engine.runtime;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.berth.engine.BerthException;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.runtime.spec.SpecJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives an OCI runtime binary (runc or crun; same CLI) with a state directory of its own
 * ({@code --root}), so a Berth instance never sees another's containers, nor the host's.
 */
public final class OciRuntime {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  // runc's text log line: time="..." level=error msg="container does not exist"
  private static final Pattern LOGRUS_MSG = Pattern.compile("msg=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final String name;
  private final Path binary;
  private final Path stateRoot;
  private volatile Set<String> mountOptions; // from features, asked once

  /**
   * @param name the runtime's name as users see it (runc, crun)
   * @param binary absolute path of the executable
   * @param stateRoot the runtime's {@code --root}, created by the runtime on first use
   */
  public OciRuntime(String name, Path binary, Path stateRoot) {
    this.name = name;
    this.binary = binary.toAbsolutePath();
    this.stateRoot = stateRoot.toAbsolutePath();
  }

  /** The runtime with its state under {@code <exec-root>/runtime/<name>}. */
  public static OciRuntime of(String name, Path binary, EngineConfig config) {
    return new OciRuntime(name, binary, config.execRoot().resolve("runtime").resolve(name));
  }

  public String name() {
    return name;
  }

  public Path binary() {
    return binary;
  }

  public Path stateRoot() {
    return stateRoot;
  }

  /** Global options every call passes; conmon gets them as {@code --runtime-arg}. */
  public List<String> globalArgs() {
    return List.of("--root=" + stateRoot);
  }

  /** Creates the container (init process waits for {@link #start}); pidfile written by the runtime. */
  public void create(String id, Path bundle, Path pidFile, Optional<Path> consoleSocket) {
    List<String> args = new ArrayList<>(List.of("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString()));
    consoleSocket.ifPresent(s -> args.addAll(List.of("--console-socket", s.toString())));
    args.add(id);
    call(id, args);
  }

  public void start(String id) {
    call(id, List.of("start", id));
  }

  /**
   * As {@link #start}, with runc's exec fifo read by berthd instead of a runc process when this
   * runtime is runc ({@link RuncExecFifo}); {@code initPid} is the created container's init.
   */
  public void start(String id, int initPid) {
    if (binary.getFileName().toString().equals("runc")
        && RuncExecFifo.start(stateRoot.resolve(id).resolve("exec.fifo"), initPid, Duration.ofSeconds(10))) {
      return;
    }
    start(id);
  }

  /** Runs a container to completion in the foreground and returns its exit code (probes only). */
  public CommandResult run(String id, Path bundle, Duration timeout) {
    return Commands.run(command(List.of("run", "--bundle", bundle.toString(), id)), timeout);
  }

  public RuntimeState state(String id) {
    CommandResult result = call(id, List.of("state", id));
    return SpecJson.read(result.stdout().getBytes(StandardCharsets.UTF_8), RuntimeState.class);
  }

  /** Sends {@code signal} (a number, e.g. 15) to the init process, or with {@code all} to every process. */
  public void kill(String id, int signal, boolean all) {
    List<String> args = new ArrayList<>(List.of("kill"));
    if (all) {
      args.add("--all");
    }
    args.addAll(List.of(id, Integer.toString(signal)));
    call(id, args);
  }

  /** Deletes the container; with {@code force} a running one is killed first. */
  public void delete(String id, boolean force) {
    if (!java.nio.file.Files.isDirectory(stateRoot.resolve(id))) {
      // runc and crun keep a container's state in <root>/<id>: without it there is nothing to
      // delete, and asking the runtime (a process start, ~10 ms) would only say so
      throw new BerthException.NotFound("container " + id + " is not known to " + name + " (no state under "
          + stateRoot + ")");
    }
    call(id, force ? List.of("delete", "--force", id) : List.of("delete", id));
  }

  /**
   * Changes a running container's cgroup limits ({@code update --resources FILE}): the fields
   * set in {@code resources} change, the others stay.
   */
  public void update(String id, dev.berth.engine.runtime.spec.Resources resources) {
    java.nio.file.Path file = null;
    try {
      file = java.nio.file.Files.createTempFile("berth-update-", ".json");
      java.nio.file.Files.write(file, SpecJson.mapper().writeValueAsBytes(resources));
      call(id, List.of("update", "--resources", file.toString(), id));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the resources for " + name + " update", e);
    } finally {
      if (file != null) {
        try {
          java.nio.file.Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temp file left behind is harmless
        }
      }
    }
  }

  public void pause(String id) {
    call(id, List.of("pause", id));
  }

  public void resume(String id) {
    call(id, List.of("resume", id));
  }

  /** Host pids of every process in the container. */
  public List<Integer> ps(String id) {
    CommandResult result = call(id, List.of("ps", "--format", "json", id));
    try {
      List<Integer> pids =
          SpecJson.mapper().readValue(result.stdout(), new TypeReference<List<Integer>>() {});
      return pids == null ? List.of() : pids;
    } catch (IOException e) {
      throw new UncheckedIOException("unexpected output of " + name + " ps", e);
    }
  }

  /** The version, e.g. "1.1.5+ds1", from the first line of {@code --version}. */
  public String version() {
    CommandResult result = Commands.run(List.of(binary.toString(), "--version"), TIMEOUT);
    if (!result.ok()) {
      throw new BerthException.Unavailable(name + " --version failed: " + firstLine(result.stderr()));
    }
    return parseVersion(result.stdout());
  }

  /** The JSON of {@code features} (runc ≥ 1.1), or empty when this runtime lacks the command. */
  public Optional<String> features() {
    CommandResult result = Commands.run(List.of(binary.toString(), "features"), TIMEOUT);
    return result.ok() ? Optional.of(result.stdout()) : Optional.empty();
  }

  /**
   * Whether this runtime takes {@code option} in a mount's options (the {@code mountOptions} of
   * {@code features}); asked once. False when the runtime has no {@code features} command.
   */
  public boolean supportsMountOption(String option) {
    Set<String> options = mountOptions;
    if (options == null) {
      options = features().map(OciRuntime::parseMountOptions).orElse(Set.of());
      mountOptions = options;
    }
    return options.contains(option);
  }

  static Set<String> parseMountOptions(String featuresJson) {
    try {
      Set<String> out = new HashSet<>();
      SpecJson.mapper().readTree(featuresJson).path("mountOptions").forEach(o -> out.add(o.asText()));
      return Set.copyOf(out);
    } catch (IOException e) {
      return Set.of();
    }
  }

  static String parseVersion(String versionOutput) {
    String line = firstLine(versionOutput);
    int at = line.indexOf("version ");
    return at < 0 ? line : line.substring(at + "version ".length()).trim();
  }

  private CommandResult call(String id, List<String> args) {
    CommandResult result = Commands.run(command(args), TIMEOUT);
    if (result.ok()) {
      return result;
    }
    String message = errorMessage(result.stderr());
    if (message.contains("does not exist")) {
      throw new BerthException.NotFound(
          "container " + id + " is not known to " + name + " (" + message + ")");
    }
    throw new BerthException(
        name + " " + args.getFirst() + " failed for container " + id + ": " + message);
  }

  private List<String> command(List<String> args) {
    List<String> argv = new ArrayList<>();
    argv.add(binary.toString());
    argv.addAll(globalArgs());
    argv.addAll(args);
    return argv;
  }

  /** The runtime's own error text without logrus decoration; the raw stderr otherwise. */
  static String errorMessage(String stderr) {
    Matcher m = LOGRUS_MSG.matcher(stderr);
    String last = null;
    while (m.find()) {
      last = m.group(1).replace("\\\"", "\"");
    }
    if (last != null) {
      return last;
    }
    String trimmed = stderr.strip();
    return trimmed.isEmpty() ? "no error output" : trimmed;
  }

  private static String firstLine(String text) {
    String stripped = text.strip();
    int nl = stripped.indexOf('\n');
    return nl < 0 ? stripped : stripped.substring(0, nl);
  }

  @Override
  public String toString() {
    return name + " (" + binary + ")";
  }
}
