package dev.berth.daemon.cri.streaming;

import dev.berth.engine.BerthException;
import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerExecs;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.container.ContainerState;
import dev.berth.engine.container.ExecSession;
import dev.berth.engine.runtime.AttachSession;
import dev.berth.engine.runtime.LogEntry;
import dev.berth.engine.sys.NetnsSockets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;

/**
 * The streaming server's work done by Berth's engine: an exec is a Berth exec ({@code runc exec},
 * a pty for a TTY), an attach is conmon's attach socket, a port-forward a socket made inside the
 * pod's network namespace connecting to its loopback.
 */
public final class EngineStreamingBackend implements StreamingBackend {
  private final ContainerService containers;

  public EngineStreamingBackend(ContainerService containers) {
    this.containers = containers;
  }

  @Override
  public StreamedProcess exec(ExecTarget target) throws IOException {
    ContainerExecs execs = containers.execs();
    ContainerExecs.Exec exec = execs.create(target.containerId(),
        new ContainerExecs.ExecConfig(target.cmd(), List.of(), "", "", target.tty(), target.stdin(), false));
    ExecSession session = execs.start(exec.id());
    if (!target.stdin()) {
      session.stdin().close(); // the process reads the end of its input at once
    }
    return new ExecProcess(execs, exec.id(), session);
  }

  /** A running Berth exec. */
  private record ExecProcess(ContainerExecs execs, String execId, ExecSession session) implements StreamedProcess {
    @Override
    public void copyOutput(OutputStream stdout, OutputStream stderr) {
      // Platform threads: a TTY's reads block in native code.
      Thread err = Thread.ofPlatform().daemon().name("exec-stderr").start(() -> drain(session.stderr(), stderr));
      drainOnPlatformThread(session.stdout(), stdout);
      joinQuietly(err);
    }

    @Override
    public OutputStream stdin() {
      return session.stdin();
    }

    @Override
    public void resize(TerminalSize size) {
      execs.resize(execId, size.height(), size.width());
    }

    @Override
    public OptionalInt awaitExit() throws InterruptedException {
      return OptionalInt.of(session.waitFor());
    }

    @Override
    public void close() {
      // the process ends by itself; its record stays for inspect, as Docker's
    }
  }

  @Override
  public StreamedProcess attach(AttachTarget target) throws IOException {
    Container c = containers.find(target.containerId());
    if (!c.running()) {
      throw new BerthException.Conflict("container " + c.id() + " is not running");
    }
    AttachSession session;
    try {
      session = containers.attach().attachWhenStarted(c.id()).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while attaching to " + c.id(), e);
    } catch (ExecutionException e) {
      throw new IOException("cannot attach to container " + c.id() + ": " + e.getCause().getMessage(), e.getCause());
    }
    return new AttachProcess(containers, c.id(), session);
  }

  /** A connection to a running container's stdio through conmon. */
  private record AttachProcess(ContainerService containers, String id, AttachSession session)
      implements StreamedProcess {
    @Override
    public void copyOutput(OutputStream stdout, OutputStream stderr) throws IOException {
      IOException[] failure = new IOException[1];
      // conmon's socket blocks in native code: a platform thread reads it.
      Thread reader = Thread.ofPlatform().daemon().name("attach-out").start(() -> {
        Sink out = new Sink(stdout);
        Sink err = new Sink(stderr);
        try {
          AttachSession.Frame f;
          while ((f = session.read()) != null) {
            (f.stream() == LogEntry.Stream.STDERR ? err : out).write(f.data(), f.data().length);
          }
        } catch (IOException e) {
          failure[0] = e;
        }
      });
      joinQuietly(reader);
      if (failure[0] != null && !(failure[0].getMessage() + "").contains("closed")) {
        throw failure[0];
      }
    }

    @Override
    public OutputStream stdin() {
      return new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          session.writeStdin(java.util.Arrays.copyOfRange(b, off, off + len));
        }

        @Override
        public void close() throws IOException {
          session.closeStdin();
        }
      };
    }

    @Override
    public void resize(TerminalSize size) {
      containers.attach().resize(id, size.height(), size.width());
    }

    @Override
    public OptionalInt awaitExit() {
      return OptionalInt.empty();
    }

    @Override
    public void close() {
      try {
        session.close();
      } catch (IOException ignored) {
        // conmon is gone already
      }
    }
  }

  @Override
  public SocketChannel connect(PortForwardTarget target, int port) throws IOException {
    Path netns = target.netns().orElseGet(() -> processNetns(target.podSandboxId()));
    // As containerd dials "localhost": IPv4's loopback, then IPv6's.
    try {
      return connect(netns, InetAddress.getByName("127.0.0.1"), port);
    } catch (ConnectException v4Refused) {
      try {
        return connect(netns, InetAddress.getByName("::1"), port);
      } catch (IOException v6Failed) {
        throw new ConnectException("failed to connect to localhost:" + port + " inside namespace " + netns
            + ": " + v4Refused.getMessage());
      }
    }
  }

  private static SocketChannel connect(Path netns, InetAddress address, int port) throws IOException {
    SocketChannel socket = NetnsSockets.open(netns,
        address instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
    try {
      socket.connect(new InetSocketAddress(address, port));
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** The network namespace of a running container's init (the pod's infra container). */
  private Path processNetns(String containerId) {
    Container c = containers.find(containerId);
    if (!(c.state() instanceof ContainerState.Running running)) {
      throw new BerthException.Conflict("container " + c.id() + " is not running: no network namespace to forward to");
    }
    return Path.of("/proc", Integer.toString(running.pid()), "ns", "net");
  }

  /** Reads {@code in} to its end, passing it to {@code out} while that works (null: dropped). */
  static void drain(InputStream in, OutputStream out) {
    Sink sink = new Sink(out);
    byte[] buf = new byte[32 << 10];
    try (in) {
      for (int n; (n = in.read(buf)) > 0; ) {
        sink.write(buf, n);
      }
    } catch (IOException e) {
      // the process's side ended (a pty reports EIO when its last writer is gone)
    }
  }

  private static void drainOnPlatformThread(InputStream in, OutputStream out) {
    joinQuietly(Thread.ofPlatform().daemon().name("exec-stdout").start(() -> drain(in, out)));
  }

  private static void joinQuietly(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** A client stream that, once it failed, drops what follows: the process must go on being read. */
  private static final class Sink {
    private OutputStream out;

    Sink(OutputStream out) {
      this.out = out;
    }

    void write(byte[] data, int n) {
      if (out == null) {
        return;
      }
      try {
        out.write(data, 0, n);
        out.flush();
      } catch (IOException gone) {
        out = null;
      }
    }
  }
}
