package dev.berth.daemon.console;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.RawStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A server-side WebSocket (RFC 6455) on a connection taken over from HTTP. The handshake answer
 * goes out through the route's hijack; frames are read and written by Netty's own WebSocket
 * codec, run on embedded channels over the raw stream (no hand-written framing).
 */
final class WebSocketConnection {
  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int MAX_FRAME = 1 << 20;

  private final RawStream raw;
  private final EmbeddedChannel decoder = new EmbeddedChannel(new WebSocket13FrameDecoder(
      WebSocketDecoderConfig.newBuilder().expectMaskedFrames(true).allowExtensions(false)
          .maxFramePayloadLength(MAX_FRAME).build()));
  private final EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
  private final List<Runnable> closeListeners = new CopyOnWriteArrayList<>();
  private volatile boolean open = true;
  private volatile boolean closeSent;

  private WebSocketConnection(RawStream raw) {
    this.raw = raw;
  }

  /** A browser's WebSocket handshake: GET with Upgrade: websocket, a key, version 13. */
  static boolean isHandshake(ApiRequest req) {
    return req.method().equals("GET")
        && req.header("Upgrade").map(u -> u.toLowerCase(Locale.ROOT).contains("websocket")).orElse(false)
        && req.header("Sec-WebSocket-Key").isPresent()
        && req.header("Sec-WebSocket-Version").map(v -> v.strip().equals("13")).orElse(false);
  }

  /** Answers the handshake (101 with the accept key) and takes the connection over. */
  static WebSocketConnection accept(ApiRequest req, ApiResponse res) throws IOException {
    String key = req.header("Sec-WebSocket-Key").orElseThrow().strip();
    res.header("Sec-WebSocket-Accept", acceptKey(key));
    return new WebSocketConnection(res.hijack(null));
  }

  static String acceptKey(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  boolean isOpen() {
    return open;
  }

  /** Runs {@code listener} once when the connection ends (the peer's close frame or a lost connection). */
  void onClose(Runnable listener) {
    closeListeners.add(listener);
    if (!open) {
      ended();
    }
  }

  /**
   * Reads frames on a virtual thread until the peer closes: data frames go to {@code onData},
   * pings are answered, a close frame is answered and ends the connection.
   */
  void startReading(Consumer<byte[]> onData) {
    Thread.ofVirtual().name("console-websocket-in").start(() -> {
      byte[] buffer = new byte[8192];
      try {
        InputStream in = raw.input();
        int n;
        while (open && (n = in.read(buffer)) >= 0) {
          decoder.writeInbound(Unpooled.copiedBuffer(buffer, 0, n));
          Object frame;
          while ((frame = decoder.readInbound()) != null) {
            try {
              if (!handle((WebSocketFrame) frame, onData)) {
                return;
              }
            } finally {
              ReferenceCountUtil.release(frame);
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // a lost connection or a malformed frame (the codec's error): either way the end
      } finally {
        ended();
      }
    });
  }

  private boolean handle(WebSocketFrame frame, Consumer<byte[]> onData) throws IOException {
    switch (frame) {
      case TextWebSocketFrame t -> onData.accept(ByteBufUtil.getBytes(t.content()));
      case BinaryWebSocketFrame b -> onData.accept(ByteBufUtil.getBytes(b.content()));
      case ContinuationWebSocketFrame c -> onData.accept(ByteBufUtil.getBytes(c.content()));
      case PingWebSocketFrame p -> send(new PongWebSocketFrame(p.content().retainedDuplicate()));
      case CloseWebSocketFrame c -> {
        close(1000, "");
        return false;
      }
      default -> { }
    }
    return true;
  }

  void sendText(String text) throws IOException {
    send(new TextWebSocketFrame(text));
  }

  void sendBinary(byte[] data, int offset, int length) throws IOException {
    send(new BinaryWebSocketFrame(Unpooled.copiedBuffer(data, offset, length)));
  }

  /** Sends a close frame (once) and ends our side; {@code code} 1000 is normal, 4000–4999 ours. */
  void close(int code, String reason) {
    synchronized (encoder) {
      if (closeSent) {
        return;
      }
      try {
        send(new CloseWebSocketFrame(code, truncate(reason)));
      } catch (IOException e) {
        // the peer is gone already
      }
      closeSent = true;
    }
    raw.closeOutput();
    ended();
  }

  private void send(WebSocketFrame frame) throws IOException {
    synchronized (encoder) {
      if (closeSent) {
        ReferenceCountUtil.release(frame);
        throw new IOException("WebSocket closed");
      }
      encoder.writeOutbound(frame);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ByteBuf part;
      while ((part = encoder.readOutbound()) != null) {
        try {
          part.readBytes(bytes, part.readableBytes());
        } finally {
          part.release();
        }
      }
      try {
        raw.output().write(bytes.toByteArray());
      } catch (IOException e) {
        ended();
        throw e;
      }
    }
  }

  private void ended() {
    open = false;
    for (Runnable r : closeListeners) {
      if (closeListeners.remove(r)) {
        r.run();
      }
    }
  }

  /** A close reason is at most 123 bytes of UTF-8. */
  private static String truncate(String reason) {
    String r = reason == null ? "" : reason;
    while (r.getBytes(StandardCharsets.UTF_8).length > 123) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }
}
