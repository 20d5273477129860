package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.microvm.GuestAgent;
import dev.berth.engine.microvm.MicroVm;
import dev.berth.engine.runtime.ContainerProcess;
import dev.berth.engine.runtime.ExecResult;
import dev.berth.engine.runtime.OciRuntime;
import dev.berth.engine.runtime.spec.ProcessSpec;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.SpecJson;
import dev.berth.engine.runtime.spec.User;
import dev.berth.engine.sys.Pty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Processes run in a running container beside its own: exec create, start (attached or detached), resize, inspect. */
public final class ContainerExecs {
  private final ContainerStore store;
  private final Map<String, Exec> execs = new ConcurrentHashMap<>();
  private final Map<String, ExecSession> execSessions = new ConcurrentHashMap<>();

  ContainerExecs(ContainerStore store) {
    this.store = store;
  }

  /** An exec session: created, then run once. */
  public record Exec(String id, String containerId, ExecConfig config, boolean running, Integer exitCode,
      String stdout, String stderr) {}

  /** What an exec runs; empty user/workingDir mean the container's. */
  public record ExecConfig(List<String> cmd, List<String> env, String user, String workingDir, boolean tty,
      boolean attachStdin, boolean privileged) {}

  public Exec create(String nameOrId, ExecConfig cfg) {
    Container c = store.find(nameOrId);
    if (!c.running()) {
      throw new BerthException.Conflict("Container " + c.id() + " is not running");
    }
    if (c.paused()) {
      throw new BerthException.Conflict("Container " + c.id() + " is paused, unpause the container before exec");
    }
    if (cfg.cmd() == null || cfg.cmd().isEmpty()) {
      throw new BerthException.InvalidArgument("No exec command specified");
    }
    if (VmIsolation.isVm(c.config())) {
      VmExecs.checkCreate(c, cfg);
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
      code = ContainerService.startFailureCode(ex.getMessage()) == 128 ? 126
          : ContainerService.startFailureCode(ex.getMessage());
      err = ex.getMessage() + "\n";
    }
    Exec done = new Exec(e.id(), e.containerId(), e.config(), false, code, out, err);
    execs.put(execId, done);
    store.events.exec(store.get(e.containerId()), "exec_die", e, Map.of("exitCode", Integer.toString(code)));
    return done;
  }

  /**
   * Starts an attached exec: {@code runc exec} with pipes for stdio, or a pty when the exec
   * asked for a TTY; the caller streams it.
   */
  public ExecSession start(String execId) {
    Exec e = claim(execId);
    MicroVm vm = store.vms.get(e.containerId());
    if (vm != null) {
      Container c = store.get(e.containerId());
      Process process = VmExecs.asProcess(vm, VmExecs.command(c, e.config(), store.dir(c.id()).resolve("rootfs")));
      ExecSession session = new ExecSession(process, store.dir(c.id()).resolve("exec-" + e.id() + ".json"), null,
          code -> {
            execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, code, "", ""));
            execSessions.remove(execId);
            store.byId(e.containerId()).ifPresent(x -> store.events.exec(x, "exec_die", e, Map.of("exitCode", "" + code)));
          });
      execSessions.put(execId, session);
      store.events.exec(c, "exec_start", e, Map.of());
      return session;
    }
    if (!store.processes.containsKey(e.containerId())) {
      execs.put(execId, new Exec(e.id(), e.containerId(), e.config(), false, null, "", ""));
      throw new BerthException.Conflict("Container " + e.containerId() + " is not running");
    }
    try {
      Path spec = store.dir(e.containerId()).resolve("exec-" + e.id() + ".json");
      Files.write(spec, SpecJson.toBytes(processSpec(e, e.config().tty())));
      List<String> argv = new ArrayList<>();
      OciRuntime runtime = store.conmon(store.get(e.containerId())).runtime();
      argv.add(runtime.binary().toString());
      argv.addAll(runtime.globalArgs());
      argv.addAll(List.of("exec", "--process", spec.toString(), e.containerId()));
      Pty pty = null;
      if (e.config().tty()) {
        // runc (terminal: true, without --detach) gives the process a console in the
        // container's devpts and relays it to its own stdio, this pty: raw, so bytes pass as they are.
        pty = Pty.open();
        try {
          pty.makeRaw();
        } catch (IOException rawFailed) {
          pty.close();
          throw rawFailed;
        }
        // A shell opens the slave in the child: were berthd (a session leader under systemd or
        // setsid) to open it, the pty would become its controlling terminal and its hangup kill berthd.
        List<String> viaShell = new ArrayList<>(List.of("/bin/sh", "-c",
            "exec \"$0\" \"$@\" <>\"$BERTH_EXEC_PTY\" >&0 2>&0"));
        viaShell.addAll(argv);
        argv = viaShell;
      }
      ProcessBuilder pb = new ProcessBuilder(argv);
      if (pty != null) {
        pb.environment().put("BERTH_EXEC_PTY", pty.slave().toString());
      }
      Process process;
      try {
        process = pb.start();
      } catch (IOException startFailed) {
        if (pty != null) {
          pty.close();
        }
        throw startFailed;
      }
      ExecSession session = new ExecSession(process, spec, pty, code -> {
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
    }
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

  /** The container was removed: its execs go with it. */
  void forget(String containerId) {
    execs.values().removeIf(e -> e.containerId().equals(containerId));
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
        : Users.resolve(e.config().user(), Users.readEtc(rootfs, "passwd"), Users.readEtc(rootfs, "group"));
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
