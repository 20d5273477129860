package dev.berth.daemon.cri.streaming;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * SPDY inside a WebSocket ({@code SPDY/3.1+portforward.k8s.io}, client-go's port-forward over
 * WebSockets): the binary messages' bytes in order are a SPDY byte stream, and what SPDY writes
 * goes out as binary messages.
 */
final class WebSocketTunnel extends ChannelDuplexHandler {
  static final String PROTOCOL = "SPDY/3.1+portforward.k8s.io";

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    switch (frame) {
      case BinaryWebSocketFrame binary -> ctx.fireChannelRead(binary.content()); // ownership passes on
      case PingWebSocketFrame ping -> ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
      case CloseWebSocketFrame close -> {
        ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), "")).addListener(ChannelFutureListener.CLOSE);
        close.release();
      }
      default -> ReferenceCountUtil.release(frame);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf bytes) {
      ctx.write(new BinaryWebSocketFrame(bytes), promise);
    } else {
      ctx.write(msg, promise);
    }
  }
}
