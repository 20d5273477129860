package dev.berth.it.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Sends raw bytes to a unix socket and reads the answer's head (and a bounded piece of its body)
 * with a deadline: broken HTTP can be sent, and a daemon that never answers is seen as a hang,
 * not as a test that waits forever. Non-blocking I/O, because a unix SocketChannel has no read
 * timeout.
 */
public final class RawHttp {
  private static final int BODY_LIMIT = 64 * 1024;

  /** What came back: a status (-1 when the connection closed without one), the head and a body prefix. */
  public record Answer(int status, String head, String body, boolean timedOut) {
    public boolean closedWithoutAnswer() {
      return status < 0 && !timedOut;
    }

    public String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }

    @Override
    public String toString() {
      return timedOut ? "(no answer before the deadline)"
          : status < 0 ? "(closed without an answer)"
          : head.lines().findFirst().orElse("") + " " + body.substring(0, Math.min(300, body.length()));
    }
  }

  private RawHttp() {}

  /** Builds a request with Connection: close and a Content-Length for {@code body} (when not null). */
  public static byte[] request(String method, String target, String contentType, byte[] body) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: fuzz\r\n");
    if (contentType != null) {
      head.append("Content-Type: ").append(contentType).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
    if (body == null) {
      return h;
    }
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
  }

  /**
   * Writes {@code bytes}, then reads until the head is complete and the body is read (Content-Length,
   * the end of a chunked body, the close, or {@link #BODY_LIMIT}); a streaming body is cut off
   * after {@code streamGrace} once its head has arrived. {@code halfClose} ends the output once all
   * is written.
   */
  public static Answer exchange(Path socket, byte[] bytes, Duration timeout, Duration streamGrace, boolean halfClose)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        Selector selector = Selector.open()) {
      ch.configureBlocking(false);
      ByteBuffer out = ByteBuffer.wrap(bytes);
      ByteArrayOutputStream in = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
      SelectionKey key = ch.register(selector, SelectionKey.OP_READ | (out.hasRemaining() ? SelectionKey.OP_WRITE : 0));
      int headEnd = -1;
      long bodyDeadline = Long.MAX_VALUE;
      boolean closed = false;
      while (!closed) {
        long now = System.nanoTime();
        long until = Math.min(deadline, bodyDeadline);
        if (now >= until) {
          break;
        }
        selector.select(Math.max(1, (until - now) / 1_000_000));
        if (key.isValid() && key.isWritable() && out.hasRemaining()) {
          try {
            ch.write(out);
          } catch (IOException peerStoppedReading) {
            out.position(out.limit()); // it answered (or closed) before reading all: read what it said
          }
          if (!out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ);
            if (halfClose) {
              ch.shutdownOutput(); // broken HTTP may leave the server waiting for more: tell it there is none
            }
          }
        }
        if (key.isValid() && key.isReadable()) {
          buf.clear();
          int n;
          try {
            n = ch.read(buf);
          } catch (IOException reset) {
            n = -1;
          }
          if (n < 0) {
            closed = true;
          } else {
            in.write(buf.array(), 0, n);
          }
        }
        selector.selectedKeys().clear();
        byte[] got = in.toByteArray();
        if (headEnd < 0) {
          headEnd = indexOf(got, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          if (headEnd >= 0) {
            bodyDeadline = System.nanoTime() + streamGrace.toNanos();
          }
        }
        if (headEnd >= 0 && bodyComplete(got, headEnd + 4)) {
          break;
        }
      }
      byte[] got = in.toByteArray();
      if (headEnd < 0) {
        boolean timedOut = !closed;
        return new Answer(-1, new String(got, StandardCharsets.ISO_8859_1), "", timedOut);
      }
      String head = new String(got, 0, headEnd, StandardCharsets.ISO_8859_1);
      String body = new String(got, headEnd + 4, Math.min(BODY_LIMIT, got.length - headEnd - 4), StandardCharsets.UTF_8);
      String[] statusLine = head.lines().findFirst().orElse("").split(" ");
      int status = statusLine.length > 1 && statusLine[1].matches("\\d{3}") ? Integer.parseInt(statusLine[1]) : -1;
      return new Answer(status, head, body, false);
    }
  }

  private static boolean bodyComplete(byte[] got, int bodyStart) {
    String head = new String(got, 0, bodyStart, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    int bodyLength = got.length - bodyStart;
    if (bodyLength >= BODY_LIMIT) {
      return true;
    }
    int cl = head.indexOf("\r\ncontent-length:");
    if (cl >= 0) {
      String v = head.substring(cl + 17, head.indexOf("\r\n", cl + 2)).trim();
      return bodyLength >= Long.parseLong(v);
    }
    if (head.contains("transfer-encoding: chunked")) {
      return indexOf(got, "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) >= bodyStart - 2
          || (bodyLength >= 5 && new String(got, bodyStart, 5, StandardCharsets.ISO_8859_1).equals("0\r\n\r\n"));
    }
    return head.startsWith("http/1.1 204") || head.startsWith("http/1.1 304");
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
