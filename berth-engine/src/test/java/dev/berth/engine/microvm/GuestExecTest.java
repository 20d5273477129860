package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GuestExec against sockets that play QEMU's ports and the guest init's agent. */
class GuestExecTest {
  @TempDir
  Path dir;

  /** A port's socket as QEMU serves it: accepts one connection and hands it to the test. */
  private static ServerSocketChannel serve(Path socket) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    return server;
  }

  @Test
  void stdinReachesTheGuestOutputStreamsAndTheExitCodeEndsTheStreams() throws Exception {
    MicroVmPaths paths = new MicroVmPaths(dir.resolve("data"), Files.createDirectories(dir.resolve("run")));
    Map<Character, ServerSocketChannel> ports = new ConcurrentHashMap<>();
    for (char c : new char[] {'i', 'o', 'e', 'x'}) {
      ports.put(c, serve(paths.execSocket(1, c)));
    }
    ServerSocketChannel agentSocket = serve(paths.agentSocket());
    CountDownLatch requested = new CountDownLatch(1);
    String[] request = new String[1];
    Thread.ofVirtual().start(() -> {
      try (SocketChannel agent = agentSocket.accept()) {
        request[0] = new BufferedReader(new InputStreamReader(Channels.newInputStream(agent))).readLine();
        String tag = request[0].split(" ")[1]; // "t TAG x ...": the answer carries the tag
        agent.write(ByteBuffer.wrap((tag + " started\n").getBytes(StandardCharsets.US_ASCII)));
        requested.countDown();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    AtomicInteger released = new AtomicInteger(-1);
    GuestCommand cmd = new GuestCommand(List.of(), List.of("cat"), "/", 0, 0);
    // The guest's side of the ports: unix connects complete into the backlog, accepted after.
    GuestExec exec;
    SocketChannel in;
    SocketChannel out;
    SocketChannel err;
    SocketChannel exit;
    var starting = java.util.concurrent.CompletableFuture.supplyAsync(() -> GuestExec.start(paths,
        new GuestAgent(paths.agentSocket()), 1, false, 0, 0, cmd, released::set));
    in = ports.get('i').accept();
    out = ports.get('o').accept();
    err = ports.get('e').accept();
    exit = ports.get('x').accept();
    exec = starting.get(10, TimeUnit.SECONDS);
    assertThat(requested.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(request[0]).matches("t [0-9a-f]{12} x 1 0 0 0 .*");

    in.write(ByteBuffer.wrap(new byte[] {'\n'})); // the guest opened the port: an EOF may follow the input now
    try (OutputStream stdin = exec.stdin()) {
      stdin.write("hello\n".getBytes(StandardCharsets.UTF_8));
    }
    byte[] got = new byte[6];
    Channels.newInputStream(in).readNBytes(got, 0, 6);
    assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("hello\n");
    assertThat(in.read(ByteBuffer.allocate(1))).as("closing stdin is an EOF (after a moment)").isEqualTo(-1);

    out.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.UTF_8)));
    err.write(ByteBuffer.wrap("warn\n".getBytes(StandardCharsets.UTF_8)));
    exit.write(ByteBuffer.wrap("3\n".getBytes(StandardCharsets.US_ASCII)));

    assertThat(exec.exit().get(10, TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(new String(exec.stdout().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
    assertThat(new String(exec.stderr().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("warn\n");
    assertThat(released.get()).as("the slot is free again").isEqualTo(1);
    for (ServerSocketChannel s : ports.values()) {
      s.close();
    }
    agentSocket.close();
  }

  @Test
  void anUnreadableExitLineIs255() {
    assertThat(GuestExec.parseCode("0\n")).isZero();
    assertThat(GuestExec.parseCode("130")).isEqualTo(130);
    assertThat(GuestExec.parseCode("")).isEqualTo(255);
  }
}
