package dev.berth.daemon.cri.streaming;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of a SPDY/3.1 session as Go's spdystream (kubelet's) keeps it, over Netty's
 * frame codec: every stream the client opens is answered with SYN_REPLY (or refused with
 * RST_STREAM when {@code refusal} names a reason) and queued for the worker; DATA goes to the
 * stream's input; PINGs are echoed. Like spdystream there is no flow control: WINDOW_UPDATE and
 * SETTINGS are ignored, and a connection stops reading when its streams hold too much unread
 * ({@link ReadBudget}).
 */
final class SpdyConnection extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(SpdyConnection.class);
  /** Marks the end of the connection in the queue of new streams. */
  private static final SpdyStream CLOSED = new SpdyStream(null, 0, Map.of(), null);

  private final Channel channel;
  private final ReadBudget budget;
  private final Function<SpdyStream, Optional<String>> refusal;
  private final Map<Integer, SpdyStream> streams = new ConcurrentHashMap<>();
  private final BlockingQueue<SpdyStream> opened = new LinkedBlockingQueue<>();
  private volatile boolean closed;
  private int lastStreamId;

  /** @param refusal why a new stream is refused (its headers are wrong), or empty to accept it */
  SpdyConnection(Channel channel, Function<SpdyStream, Optional<String>> refusal) {
    this.channel = channel;
    this.budget = new ReadBudget(channel);
    this.refusal = refusal;
  }

  /** The next stream the client opened, within {@code timeout}; empty at the connection's end or the timeout. */
  Optional<SpdyStream> nextStream(Duration timeout) throws InterruptedException {
    if (closed && opened.isEmpty()) {
      return Optional.empty();
    }
    SpdyStream s = opened.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (s == CLOSED) {
      opened.add(CLOSED); // for any other waiter
      return Optional.empty();
    }
    return Optional.ofNullable(s);
  }

  boolean isOpen() {
    return !closed;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      switch (msg) {
        case SpdySynStreamFrame syn -> opened(ctx, syn);
        case SpdyDataFrame data -> {
          SpdyStream s = streams.get(data.streamId());
          if (s != null) {
            s.inbound().offer(ByteBufUtil.getBytes(data.content()));
            if (data.isLast()) {
              s.inbound().finish();
            }
          }
        }
        case SpdyRstStreamFrame rst -> {
          SpdyStream s = streams.remove(rst.streamId());
          if (s != null) {
            s.resetByClient();
          }
        }
        case SpdyPingFrame ping -> {
          if ((ping.id() & 1) == 1) { // the client's ping (ours would be even): answered as it came
            ctx.writeAndFlush(new DefaultSpdyPingFrame(ping.id()));
          }
        }
        case SpdyGoAwayFrame goAway -> log.debug("client sent GOAWAY ({})", goAway.status());
        case SpdyFrame other -> log.trace("ignored {}", other);
        default -> log.debug("unexpected message {}", msg);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void opened(ChannelHandlerContext ctx, SpdySynStreamFrame syn) {
    int id = syn.streamId();
    if ((id & 1) == 0 || id <= lastStreamId) {
      // a client's streams are odd and increasing (spdystream answers the same way)
      ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.PROTOCOL_ERROR));
      return;
    }
    lastStreamId = id;
    Map<String, String> headers = new HashMap<>();
    for (Iterator<Map.Entry<String, String>> it = syn.headers().iteratorAsString(); it.hasNext(); ) {
      Map.Entry<String, String> h = it.next();
      headers.putIfAbsent(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue());
    }
    SpdyStream stream = new SpdyStream(this, id, headers, new InboundPipe(budget));
    Optional<String> refused = refusal.apply(stream);
    if (refused.isPresent()) {
      log.debug("refused stream {}: {}", id, refused.get());
      ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.REFUSED_STREAM));
      return;
    }
    if (syn.isLast()) {
      stream.inbound().finish();
    }
    streams.put(id, stream);
    // The reply goes out before the worker can write DATA on the stream. It names the stream's
    // type: Netty writes no header block at all for no headers, which Go's framer cannot read
    // (it inflates a block in every SYN_REPLY); spdystream ignores a reply's headers.
    DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(id);
    reply.headers().set("streamtype", stream.header("streamType"));
    ctx.writeAndFlush(reply);
    opened.add(stream);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    streams.values().forEach(s -> s.inbound().finish());
    opened.add(CLOSED);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("SPDY connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  /**
   * Writes a frame from a worker thread; waits for it when the socket's buffer is full, so a
   * process's output is read only as fast as the client takes it.
   */
  void write(Object frame) throws IOException {
    if (closed) {
      ReferenceCountUtil.release(frame);
      throw new IOException("the client closed the connection");
    }
    ChannelFuture f = channel.writeAndFlush(frame);
    if (!channel.isWritable()) {
      f.awaitUninterruptibly();
    }
    if (f.isDone() && !f.isSuccess()) {
      throw new IOException("cannot write to the client: " + f.cause(), f.cause());
    }
  }

  /** Runs {@code action} when the connection closes (at once if it has). */
  void onClose(Runnable action) {
    channel.closeFuture().addListener(f -> action.run());
  }

  /** Ends the session: GOAWAY, then the TCP connection is closed once it is written. */
  void close() {
    if (!channel.isActive()) {
      return;
    }
    channel.writeAndFlush(new DefaultSpdyGoAwayFrame(lastStreamId))
        .addListener(f -> channel.close());
  }
}
