package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.microvm.GuestAgent;
import dev.berth.engine.microvm.GuestCommand;
import dev.berth.engine.microvm.GuestExec;
import dev.berth.engine.microvm.MicroVm;
import dev.berth.engine.runtime.spec.User;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * exec in a microVM container, through the guest init's agent ({@link GuestAgent}): the command
 * runs in the guest like the container's own (env, workdir, user). Without -i and -t its output
 * comes back whole when it ended (one such exec at a time per microVM); with them it streams
 * over an exec slot's ports ({@link GuestExec}), with a terminal in the guest for -t.
 */
final class VmExecs {
  /** An attached exec waits this long at most (the agent serves one exec at a time). */
  static final Duration ATTACHED_LIMIT = Duration.ofHours(24);

  private VmExecs() {}

  /** The exec's command: the container's env with the exec's on top, its workdir and user unless the exec sets them. */
  static GuestCommand command(Container c, ContainerExecs.ExecConfig cfg, Path rootfs) {
    String userSpec = cfg.user() == null || cfg.user().isEmpty() ? c.config().user() : cfg.user();
    User user = Users.resolve(userSpec, Users.readEtc(rootfs, "passwd"), Users.readEtc(rootfs, "group"));
    GuestCommand base = VmIsolation.guestCommand(c.config(), user);
    List<String> env = new ArrayList<>(base.env());
    for (String kv : cfg.env() == null ? List.<String>of() : cfg.env()) {
      String key = kv.contains("=") ? kv.substring(0, kv.indexOf('=') + 1) : kv + "=";
      env.removeIf(x -> x.startsWith(key));
      env.add(kv);
    }
    String cwd = cfg.workingDir() == null || cfg.workingDir().isEmpty() ? base.workingDir() : cfg.workingDir();
    return new GuestCommand(env, cfg.cmd(), cwd, user.uid(), user.gid());
  }

  /** Runs the exec; a failure of the agent itself is exit 126 with the reason on stderr. */
  static GuestAgent.Result run(MicroVm vm, GuestCommand command, Duration timeout) {
    try {
      return vm.agent().run(command, timeout);
    } catch (BerthException e) {
      return new GuestAgent.Result(126, new byte[0], (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * A healthcheck in the microVM, through the agent like a detached exec: the guest kills the
   * command at {@code timeout} (dockerd's "exceeded timeout" result then); berthd waits a little
   * longer for the agent's answer, as the guest's clock may lag under TCG. Output: stdout, then
   * stderr (the agent keeps them apart), cut as dockerd cuts a probe's output.
   */
  static ContainerExecs.ProbeResult probe(MicroVm vm, GuestCommand command, Duration timeout) {
    long seconds = (timeout.toMillis() + 999) / 1000;
    String exceeded = "Health check exceeded timeout (" + ContainerExecs.goDuration(timeout) + ")";
    long t0 = System.nanoTime();
    GuestAgent.Result r;
    try {
      r = vm.agent().run(command.scriptKilledAfter(seconds), timeout.plus(PROBE_GRACE));
    } catch (BerthException e) {
      // the agent did not answer within the grace either: the check hung past its timeout
      return new ContainerExecs.ProbeResult(-1, System.nanoTime() - t0 >= timeout.toNanos() ? exceeded : e.getMessage());
    }
    if (r.exitCode() == 137 && System.nanoTime() - t0 >= timeout.toNanos()) {
      return new ContainerExecs.ProbeResult(-1, exceeded);
    }
    byte[] out = new byte[r.stdout().length + r.stderr().length];
    System.arraycopy(r.stdout(), 0, out, 0, r.stdout().length);
    System.arraycopy(r.stderr(), 0, out, r.stdout().length, r.stderr().length);
    return new ContainerExecs.ProbeResult(r.exitCode(), Health.truncated(out, out.length));
  }

  /** How much longer than a check's timeout berthd waits for the guest's answer. */
  static final Duration PROBE_GRACE = Duration.ofSeconds(10);

  /** An interactive exec (-i or -t) as a {@link Process} for {@link ExecSession}: streams while it runs. */
  static Process interactive(GuestExec exec) {
    return new Process() {
      @Override
      public OutputStream getOutputStream() {
        return exec.stdin();
      }

      @Override
      public InputStream getInputStream() {
        return exec.stdout();
      }

      @Override
      public InputStream getErrorStream() {
        return exec.stderr();
      }

      @Override
      public int waitFor() {
        return exec.exit().join();
      }

      @Override
      public boolean waitFor(long timeout, TimeUnit unit) {
        try {
          exec.exit().get(timeout, unit);
          return true;
        } catch (java.util.concurrent.TimeoutException e) {
          return false;
        } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
          return true;
        }
      }

      @Override
      public int exitValue() {
        if (!exec.exit().isDone()) {
          throw new IllegalThreadStateException("the exec in the microVM is still running");
        }
        return exec.exit().join();
      }

      @Override
      public boolean isAlive() {
        return !exec.exit().isDone();
      }

      @Override
      public void destroy() {
        // The guest command ends on its own or with the microVM.
      }
    };
  }

  /** The exec as a {@link Process} for {@link ExecSession}: its streams give the output once the command ended. */
  static Process asProcess(MicroVm vm, GuestCommand command) {
    return new AgentProcess(CompletableFuture.supplyAsync(() -> run(vm, command, ATTACHED_LIMIT),
        r -> Thread.ofVirtual().name("microvm-exec").start(r)));
  }

  private static final class AgentProcess extends Process {
    private final CompletableFuture<GuestAgent.Result> result;

    AgentProcess(CompletableFuture<GuestAgent.Result> result) {
      this.result = result;
    }

    @Override
    public OutputStream getOutputStream() {
      return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
      return new WhenDone(() -> result.join().stdout());
    }

    @Override
    public InputStream getErrorStream() {
      return new WhenDone(() -> result.join().stderr());
    }

    @Override
    public int waitFor() {
      return result.join().exitCode();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
      try {
        result.get(timeout, unit);
        return true;
      } catch (java.util.concurrent.TimeoutException e) {
        return false;
      } catch (java.util.concurrent.ExecutionException e) {
        return true;
      }
    }

    @Override
    public int exitValue() {
      if (!result.isDone()) {
        throw new IllegalThreadStateException("the exec in the microVM is still running");
      }
      return result.join().exitCode();
    }

    @Override
    public boolean isAlive() {
      return !result.isDone();
    }

    @Override
    public void destroy() {
      // The guest command cannot be killed from here yet; it ends on its own or with the microVM.
    }
  }

  /** An input stream of bytes that exist once the exec ended: the first read waits for them. */
  private static final class WhenDone extends InputStream {
    private final Supplier<byte[]> bytes;
    private InputStream in;

    WhenDone(Supplier<byte[]> bytes) {
      this.bytes = bytes;
    }

    private InputStream in() {
      if (in == null) {
        in = new ByteArrayInputStream(bytes.get());
      }
      return in;
    }

    @Override
    public int read() throws IOException {
      return in().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in().read(b, off, len);
    }
  }
}
