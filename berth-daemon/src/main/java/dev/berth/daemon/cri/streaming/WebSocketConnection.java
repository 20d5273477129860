package dev.berth.daemon.cri.streaming;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of Kubernetes' WebSocket channel protocols ({@code channel.k8s.io},
 * {@code v4.channel.k8s.io}, {@code v5.channel.k8s.io}): each binary message starts with the
 * number of the channel it belongs to. Messages for a read channel go to its input; others are
 * dropped. In v5 a message {@code [255, n]} closes channel n's input (the client's half-close).
 */
final class WebSocketConnection extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);
  static final int CLOSE_SIGNAL = 255;

  private final Channel channel;
  private final ReadBudget budget;
  private final boolean closeSignals;
  private final Map<Integer, InboundPipe> readChannels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** @param closeSignals whether the protocol is v5 (with the close signal) */
  WebSocketConnection(Channel channel, boolean closeSignals) {
    this.channel = channel;
    this.budget = new ReadBudget(channel);
    this.closeSignals = closeSignals;
  }

  /** The input of channel {@code n}: made by the first of the handler and the first message on it. */
  InboundPipe readChannel(int n) {
    return readChannels.computeIfAbsent(n, x -> new InboundPipe(budget));
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    switch (frame) {
      case BinaryWebSocketFrame binary -> received(ByteBufUtil.getBytes(binary.content()));
      case PingWebSocketFrame ping -> ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
      case CloseWebSocketFrame close ->
          ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), "")).addListener(ChannelFutureListener.CLOSE);
      default -> log.debug("ignored {}", frame); // pongs; text frames belong to the base64 protocols, not offered
    }
  }

  private void received(byte[] message) {
    if (message.length == 0) {
      return;
    }
    int n = message[0] & 0xff;
    if (closeSignals && n == CLOSE_SIGNAL) {
      if (message.length > 1) {
        readChannel(message[1] & 0xff).finish();
      }
      return;
    }
    // A client may send (and half-close) stdin as soon as the upgrade is answered, before the
    // handler's thread has declared its channels: the pipe is made here then, and keeps the bytes.
    readChannel(n).offer(java.util.Arrays.copyOfRange(message, 1, message.length));
  }

  /** Channel {@code n}'s output: each write one message. Closing it does nothing (the connection's end closes it). */
  OutputStream writeChannel(int n) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        for (int at = off; at < off + len; at += SpdyStream.MAX_DATA) {
          send(n, b, at, Math.min(SpdyStream.MAX_DATA, off + len - at));
        }
      }
    };
  }

  /** One message on channel {@code n} (may be empty: kubelet announces a ready connection so). */
  void send(int n, byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("the client closed the connection");
    }
    ByteBuf buf = Unpooled.buffer(len + 1).writeByte(n).writeBytes(b, off, len);
    ChannelFuture f = channel.writeAndFlush(new BinaryWebSocketFrame(buf));
    if (!channel.isWritable()) {
      f.awaitUninterruptibly();
    }
    if (f.isDone() && !f.isSuccess()) {
      throw new IOException("cannot write to the client: " + f.cause(), f.cause());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    readChannels.values().forEach(InboundPipe::finish);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("WebSocket connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  boolean isOpen() {
    return !closed;
  }

  /** Runs {@code action} when the connection closes (at once if it has). */
  void onClose(Runnable action) {
    channel.closeFuture().addListener(f -> action.run());
  }

  /** Ends the connection with a normal close frame. */
  void close() {
    if (!channel.isActive()) {
      return;
    }
    channel.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
  }
}
