package dev.berth.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 that slows what the target sends to a fixed rate, so a test can
 * act in the middle of a transfer (kill a daemon during a pull) without racing it.
 */
public final class ThrottledProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final long bytesPerSecond;
  private final CopyOnWriteArrayList<Socket> sockets = new CopyOnWriteArrayList<>();

  private ThrottledProxy(String targetHost, int targetPort, long bytesPerSecond) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.bytesPerSecond = bytesPerSecond;
    Thread.ofVirtual().name("proxy-accept").start(this::accept);
  }

  public static ThrottledProxy start(String targetHost, int targetPort, long bytesPerSecond) throws IOException {
    return new ThrottledProxy(targetHost, targetPort, bytesPerSecond);
  }

  /** host:port to connect to instead of the target. */
  public String host() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket target = new Socket();
        target.connect(new InetSocketAddress(targetHost, targetPort));
        sockets.add(client);
        sockets.add(target);
        Thread.ofVirtual().start(() -> copy(client, target, Long.MAX_VALUE));
        Thread.ofVirtual().start(() -> copy(target, client, bytesPerSecond));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private static void copy(Socket from, Socket to, long rate) {
    byte[] buf = new byte[16 * 1024];
    long start = System.nanoTime();
    long sent = 0;
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        sent += n;
        if (rate != Long.MAX_VALUE) {
          long due = start + sent * 1_000_000_000L / rate;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing, not waiting for a condition
          }
        }
      }
    } catch (IOException | InterruptedException ignored) {
      // either side closed
    } finally {
      try {
        to.shutdownOutput();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
