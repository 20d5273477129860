package dev.berth.daemon.cri.streaming;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend whose "processes" are small Java programs, so the server's protocols can be tested
 * without containers: {@code cat} echoes stdin, {@code fail} writes to stderr and exits 3,
 * {@code missing} cannot start. Port-forwards reach {@code openPort} on this host's loopback.
 */
final class FakeBackend implements StreamingBackend {
  final List<TerminalSize> resizes = new CopyOnWriteArrayList<>();
  final List<String> attached = new CopyOnWriteArrayList<>();
  volatile int openPort;

  interface Program {
    int run(InputStream in, OutputStream out, OutputStream err) throws IOException;
  }

  @Override
  public StreamedProcess exec(ExecTarget target) throws IOException {
    return switch (target.cmd().getFirst()) {
      case "cat" -> new FakeProcess(this, (in, out, err) -> {
        in.transferTo(out);
        return 0;
      }, false);
      case "fail" -> new FakeProcess(this, (in, out, err) -> {
        err.write("oops\n".getBytes(StandardCharsets.UTF_8));
        return 3;
      }, false);
      default -> throw new IOException("exec: \"" + target.cmd().getFirst() + "\": executable file not found in $PATH");
    };
  }

  @Override
  public StreamedProcess attach(AttachTarget target) throws IOException {
    attached.add(target.containerId());
    return new FakeProcess(this, (in, out, err) -> {
      in.transferTo(out);
      return 0;
    }, true);
  }

  @Override
  public SocketChannel connect(PortForwardTarget target, int port) throws IOException {
    if (port != openPort) {
      throw new ConnectException("failed to connect to localhost:" + port + ": Connection refused");
    }
    return SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  /** A program run when the server copies its output; its stdin is a pipe. */
  private static final class FakeProcess implements StreamedProcess {
    private final FakeBackend backend;
    private final Program program;
    private final boolean attach;
    private final Pipe stdin;
    private int code;

    FakeProcess(FakeBackend backend, Program program, boolean attach) throws IOException {
      this.backend = backend;
      this.program = program;
      this.attach = attach;
      this.stdin = Pipe.open();
    }

    @Override
    public void copyOutput(OutputStream stdout, OutputStream stderr) throws IOException {
      code = program.run(Channels.newInputStream(stdin.source()),
          stdout == null ? OutputStream.nullOutputStream() : stdout,
          stderr == null ? OutputStream.nullOutputStream() : stderr);
    }

    @Override
    public OutputStream stdin() {
      return Channels.newOutputStream(stdin.sink());
    }

    @Override
    public void resize(TerminalSize size) {
      backend.resizes.add(size);
    }

    @Override
    public OptionalInt awaitExit() {
      return attach ? OptionalInt.empty() : OptionalInt.of(code);
    }

    @Override
    public void close() {}
  }
}
