package dev.berth.daemon.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disconnects a client that opens a connection, or starts a request, and does not complete the
 * request's head in time (slowloris). Two handlers share the state: {@link #BYTES}, first in
 * the pipeline, sees raw bytes (a TLS handshake counts); {@link #MESSAGES}, after the HTTP
 * codec, sees request heads and ends. A body in progress, an idle keep-alive connection, a
 * streamed answer and a hijacked connection are never timed. All runs on the channel's event loop.
 */
final class RequestHeadTimeout {
  static final String BYTES = "request-head-timeout-bytes";
  static final String MESSAGES = "request-head-timeout-messages";
  private static final Logger log = LoggerFactory.getLogger(RequestHeadTimeout.class);

  private final Duration timeout;
  private ScheduledFuture<?> timer;
  private boolean inRequest;
  private boolean removed;

  private RequestHeadTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  /** Adds both handlers: one now at the pipeline's head, one to add after the codec. */
  static ChannelInboundHandlerAdapter install(ChannelPipeline pipeline, Duration timeout) {
    RequestHeadTimeout state = new RequestHeadTimeout(timeout);
    pipeline.addFirst(BYTES, state.new Bytes());
    return state.new Messages();
  }

  /** For a hijacked connection: raw bytes from now on, never timed. */
  static void remove(ChannelPipeline pipeline) {
    for (String name : new String[] {BYTES, MESSAGES}) {
      ChannelInboundHandlerAdapter h = (ChannelInboundHandlerAdapter) pipeline.get(name);
      if (h != null) {
        pipeline.remove(h);
      }
    }
  }

  private void arm(ChannelHandlerContext ctx) {
    if (timer == null) {
      timer = ctx.executor().schedule(() -> {
        timer = null;
        if (!removed && !inRequest && ctx.channel().isActive()) {
          log.debug("closing {}: no complete request head within {}s", ctx.channel().remoteAddress(),
              timeout.toSeconds());
          ctx.channel().close();
        }
      }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private final class Bytes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      arm(ctx);
      super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (!inRequest) {
        arm(ctx);
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      cancel();
      super.channelInactive(ctx);
    }

    /** A hijacked connection: a timer armed by bytes that came early must not cut it later. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      removed = true;
      cancel();
    }
  }

  private final class Messages extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof HttpRequest) {
        cancel();
        inRequest = true;
      }
      if (msg instanceof LastHttpContent) {
        inRequest = false;
      }
      super.channelRead(ctx, msg);
    }
  }
}
