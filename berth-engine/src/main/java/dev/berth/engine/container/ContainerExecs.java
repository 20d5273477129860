package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.microvm.GuestAgent;
import dev.berth.engine.microvm.GuestCommand;
import dev.berth.engine.microvm.GuestExec;
import dev.berth.engine.microvm.MicroVm;
import dev.berth.engine.runtime.ContainerProcess;
import dev.berth.engine.runtime.ExecResult;
import dev.berth.engine.runtime.ConmonExec;
import dev.berth.engine.runtime.OciRuntime;
import dev.berth.engine.runtime.spec.ProcessSpec;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.SpecJson;
import dev.berth.engine.runtime.spec.User;
import dev.berth.engine.runtime.Pids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.concurrent.ConcurrentHashMap;

/** Processes run in a running container beside its own: exec create, start (attached or detached), resize, inspect. */
public final class ContainerExecs {
  private final ContainerStore store;
  private final Map<String, Exec> execs = new ConcurrentHashMap<>();
  private final Map<String, ExecSession> execSessions = new ConcurrentHashMap<>();
  /** A healthcheck's process spec file by container, written once for its config and command. */
  private final Map<String, ProbeSpec> probeSpecs = new ConcurrentHashMap<>();

  /** The containers' healthcheck runners (decision 2300). */
  private final HealthRunners runners;

  private record ProbeSpec(Path file, List<String> cmd, java.nio.file.attribute.FileTime configTime, long configSize) {}

  ContainerExecs(ContainerStore store) {
    this.store = store;
    this.runners = new HealthRunners(store);
  }

  /** An exec session: created, then run once. */
  public record Exec(String id, String containerId, ExecConfig config, boolean running, Integer exitCode,
      String stdout, String stderr) {}

  /** What an exec runs; empty user/workingDir mean the container's. */
  public record ExecConfig(List<String> cmd, List<String> env, String user, String workingDir, boolean tty,
      boolean attachStdin, boolean privileged) {}

  public Exec create(String nameOrId, ExecConfig cfg) {
    Container c = store.find(nameOrId);
    if (c.state() instanceof ContainerState.Restarting) {
      throw new BerthException.Conflict("Container " + c.id() + " is restarting, wait until the container is running");
    }
    if (!c.running()) {
      throw new BerthException.Conflict("Container " + c.id() + " is not running");
    }
    if (c.paused()) {
      throw new BerthException.Conflict("Container " + c.id() + " is paused, unpause the container before exec");
    }
    if (cfg.cmd() == null || cfg.cmd().isEmpty()) {
      throw new BerthException.InvalidArgument("No exec command specified");
    }
    Exec e = new Exec(ContainerStore.newId(), c.id(), cfg, false, null, "", "");
    execs.put(e.id(), e);
    store.events.exec(c, "exec_create", e, Map.of());
    return e;
  }

  public Exec get(String execId) {
    Exec e = execs.get(execId);
    if (e == null) {
      throw new BerthException.NotFound("No such exec instance: " + execId);
    }
    return e;
  }

  /**
   * Runs a detached exec to completion under a conmon of its own (conmon --exec), so it outlives
   * berthd like the container; output goes to the exec's record, not to a client.
   */
  public Exec run(String execId, Duration timeout) {
    Exec e = claim(execId);
    MicroVm vm = store.vms.get(e.containerId());
    if (vm != null) {
      Container c = store.get(e.containerId());
      store.events.exec(c, "exec_start", e, Map.of());
      GuestAgent.Result r = VmExecs.run(vm, VmExecs.command(c, e.config(), store.dir(c.id()).resolve("rootfs")), timeout);
      Exec done = new Exec(e.id(), e.containerId(), e.config(), false, r.exitCode(),
          new String(r.stdout(), StandardCharsets.UTF_8), new String(r.stderr(), StandardCharsets.UTF_8));
      execs.put(execId, done);
      store.events.exec(c, "exec_die", e, Map.of("exitCode", Integer.toString(r.exitCode())));
      return done;
    }
    ContainerProcess p = store.processes.get(e.containerId());
    if (p == null) {
      throw new BerthException.Conflict("Container " + e.containerId() + " is not running");
    }
    int code;
    String out = "";
    String err = "";
    store.events.exec(store.get(e.containerId()), "exec_start", e, Map.of());
    try {
      ExecResult r = p.exec(processSpec(e), timeout);
      code = r.exitCode();
      out = r.stdout();
      err = r.stderr();
    } catch (BerthException ex) {
      code = StartFailures.exitCode(ex.getMessage()) == 128 ? 126
          : StartFailures.exitCode(ex.getMessage());
      err = ex.getMessage() + "\n";
    }
    Exec done = new Exec(e.id(), e.containerId(), e.config(), false, code, out, err);
    execs.put(execId, done);
    store.events.exec(store.get(e.containerId()), "exec_die", e, Map.of("exitCode", Integer.toString(code)));
    return done;
  }

  /**
   * Starts an attached exec: {@code runc exec} with pipes for stdio, or a conmon session
   * holding the console when the exec asked for a TTY; the caller streams it.
   */
  public ExecSession start(String execId) {
    return start(execId, 0, 0);
  }

  /**
   * As {@link #start(String)}, with the terminal's size the client gave with the start (API 1.42's
   * {@code ConsoleSize}; 0 when it gave none): a microVM exec's terminal has it before the process
   * starts. A resize sent after the start reaches the guest later than the process's first look
   * at its size (a shell's prompt, {@code stty size}), which then saw 0 rows (decision 2600).
   */
  public ExecSession start(String execId, int rows, int cols) {
    Exec e = claim(execId);
    MicroVm vm = store.vms.get(e.containerId());
    if (vm != null) {
      Container c = store.get(e.containerId());
      GuestCommand command = VmExecs.command(c, e.config(), store.dir(c.id()).resolve("rootfs"));
      IntConsumer onExit = code -> {
        execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, code, "", ""));
        execSessions.remove(execId);
        store.byId(e.containerId()).ifPresent(x -> store.events.exec(x, "exec_die", e, Map.of("exitCode", "" + code)));
      };
      Path specFile = store.dir(c.id()).resolve("exec-" + e.id() + ".json");
      ExecSession session;
      if (e.config().tty() || e.config().attachStdin()) {
        GuestExec exec = vm.startExec(command, e.config().tty(), rows, cols);
        session = e.config().tty()
            ? new ExecSession(VmExecs.interactive(exec), specFile, (r, w) -> vm.resize(exec, r, w), onExit)
            : new ExecSession(VmExecs.interactive(exec), specFile, onExit);
      } else {
        session = new ExecSession(VmExecs.asProcess(vm, command), specFile, onExit);
      }
      execSessions.put(execId, session);
      store.events.exec(c, "exec_start", e, Map.of());
      return session;
    }
    if (!store.processes.containsKey(e.containerId())) {
      execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, null, "", ""));
      throw new BerthException.Conflict("Container " + e.containerId() + " is not running");
    }
    if (e.config().tty()) {
      return startWithTerminal(execId, e);
    }
    try {
      Path spec = store.dir(e.containerId()).resolve("exec-" + e.id() + ".json");
      Files.write(spec, SpecJson.toBytes(processSpec(e, false)));
      List<String> argv = new ArrayList<>();
      OciRuntime runtime = store.conmon(store.get(e.containerId())).runtime();
      argv.add(runtime.binary().toString());
      argv.addAll(runtime.globalArgs());
      argv.addAll(List.of("exec", "--process", spec.toString(), e.containerId()));
      Process process = new ProcessBuilder(argv).start();
      ExecSession session = new ExecSession(process, spec, code -> {
        execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, code, "", ""));
        execSessions.remove(execId);
        store.byId(e.containerId()).ifPresent(c -> store.events.exec(c, "exec_die", e, Map.of("exitCode", "" + code)));
      });
      execSessions.put(execId, session);
      store.events.exec(store.get(e.containerId()), "exec_start", e, Map.of());
      return session;
    } catch (IOException io) {
      execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, 126, "", ""));
      throw new BerthException("cannot start exec " + execId + " in container " + e.containerId() + ": "
          + io.getMessage(), io);
    } catch (RuntimeException notStarted) {
      // e.g. an unknown user: the exec ran and failed, as dockerd records it (126), never "running"
      execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, 126, "", ""));
      throw notStarted;
    }
  }

  /**
   * An exec with a TTY: under a conmon of its own, which holds the console from before the
   * process runs, so its output is what dockerd relays (decision 1601).
   */
  private ExecSession startWithTerminal(String execId, Exec e) {
    try {
      ConmonExec console = store.processes.get(e.containerId())
          .execWithTerminal(processSpec(e, true), e.config().attachStdin());
      ExecSession session = new ExecSession(console, code -> {
        execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, code, "", ""));
        execSessions.remove(execId);
        store.byId(e.containerId()).ifPresent(c -> store.events.exec(c, "exec_die", e, Map.of("exitCode", "" + code)));
      });
      execSessions.put(execId, session);
      store.events.exec(store.get(e.containerId()), "exec_start", e, Map.of());
      return session;
    } catch (RuntimeException notStarted) {
      // e.g. an unknown user: the exec ran and failed, as dockerd records it (126), never "running"
      execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, 126, "", ""));
      throw notStarted;
    }
  }

  /** The IDs of the container's execs (inspect's ExecIDs). */
  public List<String> ids(String containerId) {
    return execs.values().stream().filter(x -> x.containerId().equals(containerId)).map(Exec::id).toList();
  }

  /** What a healthcheck's exec gave: its exit code (-1 when it could not run or timed out) and output. */
  record ProbeResult(int exitCode, String output) {
    /** dockerd's result for a check killed at its timeout. */
    static ProbeResult timedOut(Duration timeout) {
      return new ProbeResult(-1, "Health check exceeded timeout (" + goDuration(timeout) + ")");
    }
  }

  /**
   * Runs a healthcheck's command as dockerd runs it: an exec in the container (with its
   * exec_create, exec_start and exec_die events) whose stdout and stderr go to one buffer, killed
   * at {@code timeout}. The exec is forgotten after, as dockerd unregisters a probe's exec.
   */
  ProbeResult probe(Container c, List<String> cmd, Duration timeout) {
    Exec e = create(c.id(), new ExecConfig(cmd, List.of(), "", "", false, false, false));
    try {
      claim(e.id());
      store.events.exec(c, "exec_start", e, Map.of());
      ProbeResult r = runCheck(c, e, timeout);
      execs.put(e.id(), new Exec(e.id(), e.containerId(), e.config(), false, r.exitCode(), "", ""));
      store.events.exec(c, "exec_die", e, Map.of("exitCode", Integer.toString(r.exitCode())));
      return r;
    } catch (IOException | RuntimeException io) {
      return new ProbeResult(-1, String.valueOf(io.getMessage()));
    } catch (InterruptedException stop) {
      Thread.currentThread().interrupt();
      return new ProbeResult(-1, "interrupted");
    } finally {
      execs.remove(e.id());
    }
  }

  /**
   * Where a check's process runs: in a microVM container through the guest's agent, as its execs
   * do; else the container's health runner (decision 2300), else a {@code runc exec} of its own.
   */
  private ProbeResult runCheck(Container c, Exec e, Duration timeout) throws IOException, InterruptedException {
    MicroVm vm = store.vms.get(c.id());
    if (vm != null) {
      return VmExecs.probe(vm, VmExecs.command(c, e.config(), store.dir(c.id()).resolve("rootfs")), timeout);
    }
    Optional<ProbeResult> byRunner = runners.check(c, () -> processSpec(e), e.config().cmd(), timeout);
    return byRunner.isPresent() ? byRunner.get() : runcExecProbe(c, e, timeout);
  }

  /**
   * A check under {@code runc exec} directly (no conmon: a check ends with its caller), killed
   * at {@code timeout}.
   */
  private ProbeResult runcExecProbe(Container c, Exec e, Duration timeout) throws IOException, InterruptedException {
    // In the exec-root, not the container's directory: a removal deletes that while a check may run.
    Path probes = store.config.execRoot().resolve("probes");
    Path pidFile = probes.resolve(e.id() + ".pid");
    try {
      Files.createDirectories(probes);
      Path spec = probeSpec(c, e, probes);
      OciRuntime runtime = store.conmon(c).runtime();
      List<String> argv = new ArrayList<>(List.of(runtime.binary().toString()));
      argv.addAll(runtime.globalArgs());
      argv.addAll(List.of("exec", "--process", spec.toString(), "--pid-file", pidFile.toString(), c.id()));
      Process process = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
      byte[] kept = new byte[Health.MAX_OUTPUT];
      int[] total = {0};
      Thread reader = Thread.ofVirtual().start(() -> {
        byte[] buf = new byte[8192];
        try (var in = process.getInputStream()) {
          for (int n; (n = in.read(buf)) >= 0; ) {
            int room = Math.max(0, kept.length - total[0]);
            System.arraycopy(buf, 0, kept, Math.min(total[0], kept.length), Math.min(room, n));
            total[0] += n;
          }
        } catch (IOException ignored) {
          // the process was killed: what was read is the output
        }
      });
      if (process.waitFor(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
        reader.join();
        return new ProbeResult(process.exitValue(), Health.truncated(kept, total[0]));
      }
      // A hung check: kill its process in the container, then runc's exec that waits for it.
      Pids.readNumber(pidFile).ifPresent(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      process.destroyForcibly();
      process.waitFor();
      reader.join(1000);
      return ProbeResult.timedOut(timeout);
    } finally {
      try {
        Files.deleteIfExists(pidFile);
      } catch (IOException ignored) {
        // the container's directory goes with it
      }
    }
  }

  /**
   * The check's process spec file: the same for every check of a container until its spec or the
   * command changes, so a check neither parses the container's spec nor writes a file (a check a
   * second on 50 containers made that a JVM's steady work; issue 14's CPU goal).
   */
  private Path probeSpec(Container c, Exec e, Path probes) throws IOException {
    Path config = store.dir(c.id()).resolve("config.json");
    var a = Files.readAttributes(config, java.nio.file.attribute.BasicFileAttributes.class);
    ProbeSpec cached = probeSpecs.get(c.id());
    if (cached != null && cached.cmd().equals(e.config().cmd()) && cached.configTime().equals(a.lastModifiedTime())
        && cached.configSize() == a.size() && Files.exists(cached.file())) {
      return cached.file();
    }
    Path file = probes.resolve(c.id() + ".json");
    Path tmp = probes.resolve(c.id() + ".json.tmp");
    Files.write(tmp, SpecJson.toBytes(processSpec(e)));
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    probeSpecs.put(c.id(), new ProbeSpec(file, List.copyOf(e.config().cmd()), a.lastModifiedTime(), a.size()));
    return file;
  }

  /** Go's rendering of a duration, for dockerd's timeout message ("1s", "500ms", "1m30s"). */
  static String goDuration(Duration d) {
    if (d.toMillis() < 1000) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    String frac = d.toMillisPart() == 0 ? "" : String.format(".%03d", d.toMillisPart()).replaceAll("0+$", "");
    return (s >= 3600 ? s / 3600 + "h" : "") + (s >= 60 ? (s % 3600) / 60 + "m" : "") + (s % 60) + frac + "s";
  }

  /** Resizes a running exec's terminal (no-op without one, or once it ended). */
  public void resize(String execId, int rows, int cols) {
    get(execId);
    ExecSession session = execSessions.get(execId);
    if (session == null) {
      return;
    }
    try {
      session.resize(rows, cols);
    } catch (IOException io) {
      throw new BerthException("cannot resize exec " + execId + ": " + io.getMessage(), io);
    }
  }

  /** The container's process ended: no more checks there, its health runner ends. */
  void checksEnded(String containerId) {
    runners.close(containerId);
  }

  /** berthd stops: the health runners end (the next berthd starts its own). */
  void close() {
    runners.closeAll();
  }

  /** The container was removed: its execs go with it. */
  void forget(String containerId) {
    runners.close(containerId);
    execs.values().removeIf(e -> e.containerId().equals(containerId));
    ProbeSpec probe = probeSpecs.remove(containerId);
    if (probe != null) {
      try {
        Files.deleteIfExists(probe.file());
      } catch (IOException ignored) {
        // the exec-root is the daemon's scratch space
      }
    }
  }

  /** Marks the exec running; each exec runs once. */
  private Exec claim(String execId) {
    Exec e = get(execId);
    synchronized (execs) {
      if (e.running() || e.exitCode() != null) {
        throw new BerthException.Conflict("exec " + execId + " has already run");
      }
      execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), true, null, "", ""));
    }
    return e;
  }

  private ProcessSpec processSpec(Exec e) {
    return processSpec(e, false);
  }

  /** The exec's process: the container's, with the exec's user, cwd, env and command. */
  private ProcessSpec processSpec(Exec e, boolean terminal) {
    Spec spec;
    try {
      spec = SpecJson.read(Files.readAllBytes(store.dir(e.containerId()).resolve("config.json")), Spec.class);
    } catch (IOException io) {
      throw new UncheckedIOException("cannot read the spec of container " + e.containerId(), io);
    }
    ProcessSpec base = spec.process();
    Path rootfs = store.dir(e.containerId()).resolve("rootfs");
    User user = e.config().user() == null || e.config().user().isEmpty() ? base.user()
        : Users.resolve(e.config().user(), store.get(e.containerId()).config().host().groupAdd(), // dockerd: exec -u keeps --group-add
            Users.readEtc(rootfs, "passwd"), Users.readEtc(rootfs, "group"));
    List<String> env = new ArrayList<>(base.env());
    for (String kv : e.config().env() == null ? List.<String>of() : e.config().env()) {
      String key = kv.contains("=") ? kv.substring(0, kv.indexOf('=') + 1) : kv + "=";
      env.removeIf(x -> x.startsWith(key));
      env.add(kv);
    }
    String cwd = e.config().workingDir() == null || e.config().workingDir().isEmpty() ? base.cwd()
        : e.config().workingDir();
    return new ProcessSpec(terminal, null, user, e.config().cmd(), env, cwd, base.capabilities(), base.rlimits(),
        base.noNewPrivileges(), base.apparmorProfile(), null);
  }
}
