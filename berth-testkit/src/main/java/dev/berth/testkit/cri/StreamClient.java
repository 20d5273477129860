package dev.berth.testkit.cri;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Our own client of the CRI streaming protocols (kubelet's, as kubectl and crictl speak them),
 * for tests: the HTTP upgrade to SPDY/3.1 with streams opened by {@code streamType}, or a
 * WebSocket with Kubernetes' one-byte channel prefix. It is built on Netty's codecs, as the
 * server is; tests that can use crictl (a Go client) should prefer it.
 */
public final class StreamClient implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

  /** An answer that was not an upgrade. */
  public record Refused(int status, Map<String, List<String>> headers, String body) {}

  /** The upgrade's outcome: a session, or the plain HTTP answer. */
  public record Upgrade<T>(T session, Refused refused) {}

  private Channel connect(URI url, ChannelInitializer<Channel> init) throws IOException {
    try {
      return new Bootstrap().group(group).channel(NioSocketChannel.class).handler(init)
          .connect(url.getHost(), url.getPort()).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** POSTs {@code url} with the SPDY upgrade headers and {@code protocols} as X-Stream-Protocol-Version. */
  public Upgrade<SpdySession> spdy(URI url, List<String> protocols) throws IOException {
    CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
    SpdySession session = new SpdySession();
    Channel ch = connect(url, new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel c) {
        c.pipeline().addLast("http", new HttpClientCodec()).addLast("agg", new HttpObjectAggregator(1 << 20))
            .addLast("answer", new SimpleChannelInboundHandler<FullHttpResponse>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
                if (res.status().code() == 101) {
                  // SPDY takes over before anything else is read
                  ctx.pipeline().addAfter("http", "spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
                  ctx.pipeline().addAfter("spdy", "session", session);
                  ctx.pipeline().remove("agg");
                  ctx.pipeline().remove(this);
                  ctx.pipeline().remove("http");
                }
                answer.complete(res.retainedDuplicate());
              }
            });
      }
    });
    session.channel = ch;
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, url.getRawPath());
    req.headers().set(HttpHeaderNames.HOST, url.getHost() + ":" + url.getPort())
        .set(HttpHeaderNames.CONNECTION, "Upgrade").set(HttpHeaderNames.UPGRADE, "SPDY/3.1")
        .set(HttpHeaderNames.CONTENT_LENGTH, 0);
    for (String p : protocols) {
      req.headers().add("X-Stream-Protocol-Version", p);
    }
    ch.writeAndFlush(req);
    FullHttpResponse res = await(answer);
    try {
      if (res.status().code() == 101) {
        session.protocol = res.headers().get("X-Stream-Protocol-Version", "");
        return new Upgrade<>(session, null);
      }
      ch.close();
      return new Upgrade<>(null, refused(res));
    } finally {
      res.release();
    }
  }

  private static Refused refused(FullHttpResponse res) {
    Map<String, List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String name : res.headers().names()) {
      headers.put(name, res.headers().getAll(name));
    }
    return new Refused(res.status().code(), headers, res.content().toString(StandardCharsets.UTF_8));
  }

  /** A SPDY session: the client opens streams (odd ids) and reads what the server sends on them. */
  public static final class SpdySession extends SimpleChannelInboundHandler<Object> {
    private Channel channel;
    private String protocol;
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    public String protocol() {
      return protocol;
    }

    /** Opens a stream with these headers and waits for the server's reply (or its refusal). */
    public Stream open(Map<String, String> headers) throws IOException {
      int id = nextId.getAndAdd(2);
      Stream s = new Stream(this, id);
      streams.put(id, s);
      DefaultSpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
      headers.forEach((k, v) -> syn.headers().set(k.toLowerCase(java.util.Locale.ROOT), v));
      channel.writeAndFlush(syn);
      await(s.replied);
      return s;
    }

    public boolean isClosed() {
      return closed.isDone();
    }

    /** Waits for the server to close the connection. */
    public void awaitClosed() throws IOException {
      await(closed);
    }

    public void close() {
      channel.close();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
      switch (msg) {
        case SpdySynReplyFrame reply -> {
          Stream s = streams.get(reply.streamId());
          if (s != null) {
            s.replyHeaders = reply.headers().names().size();
            s.replied.complete(null);
          }
        }
        case SpdyDataFrame data -> {
          Stream s = streams.get(data.streamId());
          if (s != null) {
            s.received(ByteBufUtil.getBytes(data.content()), data.isLast());
          }
        }
        case SpdyRstStreamFrame rst -> {
          Stream s = streams.get(rst.streamId());
          if (s != null) {
            s.reset = rst.status().code();
            s.replied.completeExceptionally(new IOException("stream refused: " + rst.status()));
            s.received(new byte[0], true);
          }
        }
        default -> { }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      streams.values().forEach(s -> s.received(new byte[0], true));
      closed.complete(null);
    }
  }

  /** One SPDY stream from the client's side. */
  public static final class Stream {
    private final SpdySession session;
    private final int id;
    private final CompletableFuture<Void> replied = new CompletableFuture<>();
    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile int reset = -1;
    private volatile int replyHeaders;

    Stream(SpdySession session, int id) {
      this.session = session;
      this.id = id;
    }

    public int id() {
      return id;
    }

    /** How many headers the server's SYN_REPLY carried (Go's framer needs a header block in it). */
    public int replyHeaders() {
      return replyHeaders;
    }

    /** The RST_STREAM status the server sent, or -1. */
    public int resetStatus() {
      return reset;
    }

    synchronized void received(byte[] data, boolean last) {
      if (ended.isDone()) {
        return;
      }
      all.writeBytes(data);
      if (data.length > 0) {
        chunks.add(data);
      }
      if (last) {
        ended.complete(null);
      }
    }

    public void write(byte[] data) {
      session.channel.writeAndFlush(new DefaultSpdyDataFrame(id, Unpooled.wrappedBuffer(data))).syncUninterruptibly();
    }

    public void write(String text) {
      write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Half-closes the stream (DATA with FIN). */
    public void closeWrite() {
      session.channel.writeAndFlush(new DefaultSpdyDataFrame(id).setLast(true)).syncUninterruptibly();
    }

    /** Everything the server sent on the stream, once it ended (FIN, reset or the connection's end). */
    public String readAll() throws IOException {
      await(ended);
      synchronized (this) {
        return all.toString(StandardCharsets.UTF_8);
      }
    }

    /** Waits until what the server sent on the stream contains {@code text}. */
    public String awaitContaining(String text) throws IOException {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        synchronized (this) {
          String now = all.toString(StandardCharsets.UTF_8);
          if (now.contains(text)) {
            return now;
          }
        }
        try {
          chunks.poll(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
      synchronized (this) {
        throw new IOException("no \"" + text + "\" on stream " + id + " within " + TIMEOUT + "; got: " + all);
      }
    }

    public boolean ended() {
      return ended.isDone();
    }
  }

  /** Opens a WebSocket to {@code url} asking for {@code protocols}. */
  public Upgrade<WebSocketSession> webSocket(URI url, List<String> protocols) throws IOException {
    URI ws = URI.create("ws://" + url.getHost() + ":" + url.getPort() + url.getRawPath());
    WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(ws, WebSocketVersion.V13,
        protocols.isEmpty() ? null : String.join(",", protocols), false, new DefaultHttpHeaders(), 16 << 20);
    WebSocketSession session = new WebSocketSession(handshaker);
    Channel ch = connect(url, new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel c) {
        c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), session);
      }
    });
    session.channel = ch;
    handshaker.handshake(ch);
    Object outcome = await(session.handshake);
    if (outcome instanceof Refused r) {
      ch.close();
      return new Upgrade<>(null, r);
    }
    return new Upgrade<>(session, null);
  }

  /** A WebSocket session: binary messages, each a channel byte and data. */
  public static final class WebSocketSession extends SimpleChannelInboundHandler<Object> {
    private final WebSocketClientHandshaker handshaker;
    private Channel channel;
    private final CompletableFuture<Object> handshake = new CompletableFuture<>();
    private final BlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    WebSocketSession(WebSocketClientHandshaker handshaker) {
      this.handshaker = handshaker;
    }

    public String protocol() {
      String p = handshaker.actualSubprotocol();
      return p == null ? "" : p;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
      if (!handshaker.isHandshakeComplete() && msg instanceof FullHttpResponse res) {
        if (res.status().code() == 101) {
          handshaker.finishHandshake(ctx.channel(), res);
          handshake.complete(this);
        } else {
          handshake.complete(refused(res));
        }
        return;
      }
      if (msg instanceof BinaryWebSocketFrame b) {
        messages.add(ByteBufUtil.getBytes(b.content()));
      } else if (msg instanceof CloseWebSocketFrame) {
        ctx.close();
      }
      // pongs and other frames: nothing to keep (the handler releases every message)
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed.complete(null);
      handshake.completeExceptionally(new IOException("connection closed during the handshake"));
    }

    /** Sends one message on {@code channel}. */
    public void send(int channelNumber, byte[] data) {
      byte[] message = new byte[data.length + 1];
      message[0] = (byte) channelNumber;
      System.arraycopy(data, 0, message, 1, data.length);
      channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(message))).syncUninterruptibly();
    }

    /** The next message (channel byte first); null once the connection closed and all were read. */
    public byte[] next() throws IOException {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        try {
          byte[] m = messages.poll(100, TimeUnit.MILLISECONDS);
          if (m != null) {
            return m;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
        if (closed.isDone() && messages.isEmpty()) {
          return null;
        }
      }
      throw new IOException("no message within " + TIMEOUT);
    }

    /** Every message until the server closes, joined per channel. */
    public Map<Integer, String> readAllByChannel() throws IOException {
      Map<Integer, ByteArrayOutputStream> by = new java.util.TreeMap<>();
      for (byte[] m; (m = next()) != null; ) {
        by.computeIfAbsent(m[0] & 0xff, x -> new ByteArrayOutputStream()).write(m, 1, m.length - 1);
      }
      Map<Integer, String> out = new java.util.TreeMap<>();
      by.forEach((k, v) -> out.put(k, v.toString(StandardCharsets.UTF_8)));
      return out;
    }

    public void close() {
      channel.close();
    }
  }

  private static <T> T await(CompletableFuture<T> f) throws IOException {
    try {
      return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("no answer within " + TIMEOUT, e);
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
