package dev.berth.daemon.cri.streaming;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP request of a streaming connection: {@code GET|POST /exec|attach|portforward/<token>}.
 * The token's request is taken from the cache (404 when unknown, used or expired, as kubelet),
 * the sub-protocol negotiated, and the connection upgraded to SPDY/3.1 or a WebSocket; the work
 * then runs on a virtual thread of its own.
 */
final class UpgradeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(UpgradeHandler.class);
  private static final Pattern PATH = Pattern.compile("^/(exec|attach|portforward)/([^/]+)$");
  static final Duration STREAM_CREATION_TIMEOUT = Duration.ofSeconds(30);
  static final int MAX_WEBSOCKET_MESSAGE = 16 << 20;

  private final RequestCache cache;
  private final StreamingBackend backend;

  UpgradeHandler(RequestCache cache, StreamingBackend backend) {
    this.cache = cache;
    this.backend = backend;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    Matcher m = PATH.matcher(new QueryStringDecoder(req.uri()).path());
    if (!m.matches()) {
      plain(ctx, HttpResponseStatus.NOT_FOUND, "404 page not found", List.of());
      return;
    }
    if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.POST)) {
      plain(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "405: Method Not Allowed", List.of());
      return;
    }
    String kind = m.group(1);
    Optional<Object> request = cache.consume(m.group(2));
    boolean matches = request.isPresent() && switch (kind) {
      case "exec" -> request.get() instanceof ExecTarget;
      case "attach" -> request.get() instanceof AttachTarget;
      default -> request.get() instanceof PortForwardTarget;
    };
    if (!matches) {
      plain(ctx, HttpResponseStatus.NOT_FOUND, "404 page not found", List.of());
      return;
    }
    if (isWebSocket(req)) {
      webSocket(ctx, req, request.get());
    } else {
      spdy(ctx, req, request.get());
    }
  }

  static boolean isWebSocket(FullHttpRequest req) {
    return req.headers().getAll(HttpHeaderNames.CONNECTION).stream()
        .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("upgrade"))
        && "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE, ""));
  }

  private void spdy(ChannelHandlerContext ctx, FullHttpRequest req, Object request) {
    List<String> server = request instanceof PortForwardTarget ? StreamProtocols.PORT_FORWARD_SPDY
        : StreamProtocols.REMOTE_COMMAND_SPDY;
    List<String> client = StreamProtocols.parse(req.headers().getAll(StreamProtocols.HEADER));
    String protocol = "";
    if (!client.isEmpty()) {
      Optional<String> chosen = StreamProtocols.negotiate(client, server);
      if (chosen.isEmpty()) {
        plain(ctx, HttpResponseStatus.FORBIDDEN, "unable to upgrade: unable to negotiate protocol: client supports "
            + StreamProtocols.goList(client) + ", server accepts " + StreamProtocols.goList(server), server);
        return;
      }
      protocol = chosen.get();
    }
    String connection = req.headers().get(HttpHeaderNames.CONNECTION, "").toLowerCase(Locale.ROOT);
    String upgrade = req.headers().get(HttpHeaderNames.UPGRADE, "").toLowerCase(Locale.ROOT);
    if (!connection.contains("upgrade") || !upgrade.contains("spdy/3.1")) {
      plain(ctx, HttpResponseStatus.BAD_REQUEST,
          "unable to upgrade: missing upgrade headers in request: " + req.headers().names(), List.of());
      return;
    }
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
    res.headers().set(HttpHeaderNames.CONNECTION, "Upgrade").set(HttpHeaderNames.UPGRADE, "SPDY/3.1");
    if (!protocol.isEmpty()) {
      res.headers().set(StreamProtocols.HEADER, protocol);
    }
    Channel ch = ctx.channel();
    SpdyConnection spdy = new SpdyConnection(ch, refusal(request));
    // The 101 is encoded now, on this loop; then SPDY replaces HTTP before another byte is read.
    ctx.writeAndFlush(res);
    ChannelPipeline p = ctx.pipeline();
    p.addAfter(StreamingServer.HTTP_CODEC, "spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    p.addAfter("spdy", "spdy-session", spdy);
    p.remove(this);
    p.remove(StreamingServer.HTTP_AGGREGATOR);
    p.remove(StreamingServer.HTTP_CODEC);
    String negotiated = protocol;
    Thread.ofVirtual().name("stream-spdy").start(() -> serveSpdy(spdy, negotiated, request));
  }

  private static Function<SpdyStream, Optional<String>> refusal(Object request) {
    return request instanceof PortForwardTarget ? PortForwarding::refusal : s -> Optional.empty();
  }

  private void serveSpdy(SpdyConnection spdy, String protocol, Object request) {
    try {
      switch (request) {
        case ExecTarget t -> SpdyCommandStreams.await(spdy, protocol, t.stdin(), t.stdout(), t.stderr(), t.tty(),
                STREAM_CREATION_TIMEOUT)
            .ifPresent(s -> RemoteCommand.run(s, () -> backend.exec(t), t.tty(), t.cmd(),
                "error executing command in container"));
        case AttachTarget t -> SpdyCommandStreams.await(spdy, protocol, t.stdin(), t.stdout(), t.stderr(), t.tty(),
                STREAM_CREATION_TIMEOUT)
            .ifPresent(s -> RemoteCommand.run(s, () -> backend.attach(t), t.tty(), null,
                "error attaching to container"));
        case PortForwardTarget t -> new PortForwarding(backend, t, STREAM_CREATION_TIMEOUT).serveSpdy(spdy);
        default -> throw new IllegalStateException("unexpected request " + request);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("streaming request failed: {}", e.toString(), e);
    } finally {
      spdy.close();
    }
  }

  private void webSocket(ChannelHandlerContext ctx, FullHttpRequest req, Object request) {
    boolean portForward = request instanceof PortForwardTarget;
    List<String> server = portForward ? StreamProtocols.PORT_FORWARD_WEBSOCKET
        : StreamProtocols.REMOTE_COMMAND_WEBSOCKET;
    List<String> client = StreamProtocols.parse(req.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
    String protocol = "";
    if (!client.isEmpty()) {
      List<String> acceptable = portForward
          ? java.util.stream.Stream.concat(java.util.stream.Stream.of(WebSocketTunnel.PROTOCOL), server.stream()).toList()
          : server;
      Optional<String> chosen = StreamProtocols.negotiate(client, acceptable);
      if (chosen.isEmpty()) {
        plain(ctx, HttpResponseStatus.FORBIDDEN, "requested protocol(s) are not supported: "
            + StreamProtocols.goList(client) + "; supports " + StreamProtocols.goList(acceptable), List.of());
        return;
      }
      protocol = chosen.get();
    }
    String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
    WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url,
        protocol.isEmpty() ? null : protocol, false, MAX_WEBSOCKET_MESSAGE).newHandshaker(req);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    Channel ch = ctx.channel();
    handshaker.handshake(ch, req);
    ChannelPipeline p = ctx.pipeline();
    p.addLast(new WebSocketFrameAggregator(MAX_WEBSOCKET_MESSAGE));
    if (protocol.equals(WebSocketTunnel.PROTOCOL)) {
      SpdyConnection spdy = new SpdyConnection(ch, PortForwarding::refusal);
      p.addLast(new WebSocketTunnel(), new SpdyFrameCodec(SpdyVersion.SPDY_3_1), spdy);
      p.remove(this);
      Thread.ofVirtual().name("stream-tunnel").start(() -> serveSpdy(spdy, StreamProtocols.PORT_FORWARD, request));
      return;
    }
    WebSocketConnection ws = new WebSocketConnection(ch, protocol.equals(StreamProtocols.V5));
    p.addLast(ws);
    p.remove(this);
    String negotiated = protocol.isEmpty() ? StreamProtocols.V1 : protocol;
    Thread.ofVirtual().name("stream-ws").start(() -> serveWebSocket(ws, negotiated, request));
  }

  private void serveWebSocket(WebSocketConnection ws, String protocol, Object request) {
    try {
      switch (request) {
        case ExecTarget t -> {
          WebSocketCommandStreams s = new WebSocketCommandStreams(ws, protocol, t.stdin(), t.stdout(), t.stderr());
          s.announce();
          RemoteCommand.run(s, () -> backend.exec(t), t.tty(), t.cmd(), "error executing command in container");
        }
        case AttachTarget t -> {
          WebSocketCommandStreams s = new WebSocketCommandStreams(ws, protocol, t.stdin(), t.stdout(), t.stderr());
          s.announce();
          RemoteCommand.run(s, () -> backend.attach(t), t.tty(), null, "error attaching to container");
        }
        case PortForwardTarget t -> new PortForwarding(backend, t, STREAM_CREATION_TIMEOUT).serveWebSocket(ws);
        default -> throw new IllegalStateException("unexpected request " + request);
      }
    } catch (java.io.IOException e) {
      log.debug("WebSocket client went: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("streaming request failed: {}", e.toString(), e);
    } finally {
      ws.close();
    }
  }

  /** A plain answer in Go's http.Error form (text, a newline), and the connection closed. */
  private static void plain(ChannelHandlerContext ctx, HttpResponseStatus status, String message,
      List<String> acceptedProtocols) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .set("X-Content-Type-Options", "nosniff")
        .set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
    for (String p : acceptedProtocols) {
      res.headers().add(StreamProtocols.ACCEPTED_HEADER, p);
    }
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("streaming connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
