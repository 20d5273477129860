package dev.berth.daemon.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Netty's event loop only queues what it reads; a virtual thread per
 * connection takes requests one at a time and runs their routes, so routes may block freely
 * (pulls, waits, log follows) and stay simple. Reading pauses while the queue is long, which
 * gives uploads back-pressure.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);
  private static final int PAUSE_READING_AT = 64;
  private static final int RESUME_READING_AT = 16;

  /** Markers in the inbox besides Netty messages. */
  enum Signal { INPUT_SHUTDOWN, CLOSED }

  private final ExchangeHandler dispatcher;
  private final InFlight inFlight;
  private final ServerIdentity identity;
  private final HttpLimits limits;
  private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
  private volatile Channel channel;
  private volatile boolean closed;
  private volatile boolean inputShutdown;
  /** Run once when the client closes its side or the connection ends (see {@link #onHangUp}). */
  private final java.util.List<Runnable> hangUpListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  HttpConnection(ExchangeHandler dispatcher, InFlight inFlight, ServerIdentity identity, HttpLimits limits) {
    this.dispatcher = dispatcher;
    this.inFlight = inFlight;
    this.identity = identity;
    this.limits = limits;
  }

  HttpLimits limits() {
    return limits;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    Thread.ofVirtual().name("api-connection").start(this::serve);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    inbox.add(msg);
    if (inbox.size() >= PAUSE_READING_AT) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    // Over TLS a client may end its input with a close_notify alone (Go's tls.Conn.CloseWrite,
    // which the docker CLI uses at stdin EOF): TLS 1.3's half-close, as a FIN is TCP's.
    if (evt instanceof ChannelInputShutdownEvent || evt instanceof io.netty.handler.ssl.SslCloseCompletionEvent) {
      inputShutdown = true;
      inbox.add(Signal.INPUT_SHUTDOWN);
      hungUp();
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inbox.add(Signal.CLOSED);
    hungUp();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("connection error: {}", cause.toString());
    ctx.close();
  }

  /**
   * True once the client has closed its side. Go's HTTP server (dockerd) takes that as a hang-up
   * and cancels the request; routes that run long (builds, event streams) do the same.
   */
  boolean inputShutdown() {
    return inputShutdown;
  }

  /**
   * Runs {@code listener} when the client hangs up (at once if it has); closing the result
   * forgets it, so a later request on this keep-alive connection is not told of an old one's.
   */
  AutoCloseable onHangUp(Runnable listener) {
    hangUpListeners.add(listener);
    Channel ch = channel;
    if (inputShutdown || ch == null || !ch.isActive()) {
      hungUp();
    }
    return () -> hangUpListeners.remove(listener);
  }

  private void hungUp() {
    for (Runnable r : hangUpListeners) {
      if (hangUpListeners.remove(r)) {
        r.run();
      }
    }
  }

  Channel channel() {
    return channel;
  }

  ServerIdentity identity() {
    return identity;
  }

  /** The next message from the client; CLOSED stays at the head once seen. */
  Object take() throws InterruptedException {
    Object next = inbox.take();
    if (next == Signal.CLOSED) {
      inbox.add(Signal.CLOSED);
    }
    if (inbox.size() <= RESUME_READING_AT && !channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
    return next;
  }

  private void serve() {
    try {
      while (true) {
        Object next = take();
        if (next instanceof Signal) {
          break;
        }
        if (!(next instanceof HttpRequest request)) {
          ReferenceCountUtil.release(next); // a stray body part after an abandoned request
          continue;
        }
        if (request.decoderResult().isFailure()) {
          ReferenceCountUtil.release(request);
          Throwable cause = request.decoderResult().cause();
          switch (cause) {
            case TooLongHttpLineException e -> NettyExchange.sendErrorAndClose(this, 414,
                "request line longer than " + limits.maxRequestLine() + " bytes; send long filters in fewer words");
            case TooLongHttpHeaderException e -> NettyExchange.sendErrorAndClose(this, 431,
                "request headers longer than " + limits.maxHeaderBytes() + " bytes in all");
            default -> NettyExchange.sendErrorAndClose(this, 400, "malformed HTTP request: " + cause.getMessage());
          }
          break;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        NettyExchange exchange = new NettyExchange(this, request, keepAlive);
        inFlight.begin();
        try {
          dispatcher.handle(exchange);
        } finally {
          inFlight.end();
        }
        if (exchange.hijacked() || !keepAlive || exchange.connectionMustClose()) {
          break;
        }
        if (!exchange.drainBody()) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("connection handler failed", e);
    } finally {
      closed = true;
      // After what is still queued: a plain close() drops unflushed writes, which cut long
      // streamed answers (logs) short for clients that send "Connection: close".
      if (channel.isActive() && !channel.eventLoop().isShuttingDown()) {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      } else {
        channel.close();
      }
      drainInbox();
    }
  }

  private void drainInbox() {
    Object o;
    while ((o = inbox.poll()) != null) {
      if (o instanceof HttpContent || o instanceof ByteBuf) {
        ReferenceCountUtil.release(o);
      }
    }
  }
}
