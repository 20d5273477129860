package dev.berth.daemon.cri.streaming;

import dev.berth.engine.BerthException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRI streaming server, as kubelet's ({@code k8s.io/kubelet/pkg/cri/streaming}): the
 * {@code Exec}, {@code Attach} and {@code PortForward} RPCs answer with a URL from here
 * ({@code http://<address>/exec/<token>}…), and the client (kubelet, crictl) opens it and upgrades
 * the connection to SPDY/3.1 or a WebSocket. A token is random, works once, and expires after a
 * minute. The work is done by a {@link StreamingBackend} (the engine: {@link EngineStreamingBackend}).
 */
public final class StreamingServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamingServer.class);
  static final String HTTP_CODEC = "http";
  static final String HTTP_AGGREGATOR = "http-aggregator";
  /** kubelet's StreamIdleTimeout: a connection with no byte either way for this long is closed. */
  static final Duration IDLE_TIMEOUT = Duration.ofHours(4);

  private final EventLoopGroup group;
  private final ChannelGroup connections;
  private final Channel listener;
  private final InetSocketAddress address;
  private final RequestCache cache;

  private StreamingServer(EventLoopGroup group, ChannelGroup connections, Channel listener, RequestCache cache) {
    this.group = group;
    this.connections = connections;
    this.listener = listener;
    this.address = (InetSocketAddress) listener.localAddress();
    this.cache = cache;
  }

  /** Listens on {@code address} (port 0: any free port); the URLs carry the bound address. */
  public static StreamingServer start(InetSocketAddress address, StreamingBackend backend) throws IOException {
    return start(address, backend, Clock.systemUTC());
  }

  static StreamingServer start(InetSocketAddress address, StreamingBackend backend, Clock clock) throws IOException {
    return start(address, backend, clock, IDLE_TIMEOUT);
  }

  static StreamingServer start(InetSocketAddress address, StreamingBackend backend, Clock clock, Duration idleTimeout)
      throws IOException {
    RequestCache cache = new RequestCache(clock);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    try {
      Channel ch = new ServerBootstrap()
          .group(group)
          .channel(EpollServerSocketChannel.class)
          .option(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
          .childOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
          .childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel c) {
              connections.add(c);
              c.pipeline()
                  .addLast(new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                  .addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                      if (event instanceof IdleStateEvent) {
                        log.debug("closing a streaming connection idle for {}", idleTimeout);
                        ctx.close();
                      } else {
                        ctx.fireUserEventTriggered(event);
                      }
                    }
                  })
                  .addLast(HTTP_CODEC, new HttpServerCodec())
                  .addLast(HTTP_AGGREGATOR, new HttpObjectAggregator(64 << 10))
                  .addLast(new UpgradeHandler(cache, backend));
            }
          })
          .bind(address).sync().channel();
      StreamingServer server = new StreamingServer(group, connections, ch, cache);
      log.info("CRI streaming server listening on {}", server.baseUri());
      return server;
    } catch (InterruptedException e) {
      group.shutdownGracefully();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding the streaming server to " + address, e);
    } catch (RuntimeException e) {
      group.shutdownGracefully();
      throw new IOException("cannot listen on " + address + " for the streaming server: " + e.getMessage(), e);
    }
  }

  /** The bound address (the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return address;
  }

  /** A URL for an exec; checked as kubelet checks the request. */
  public URI execUrl(ExecTarget target) {
    requireContainer(target.containerId());
    requireStreams(target.tty(), target.stdin(), target.stdout(), target.stderr(), "or");
    if (target.cmd().isEmpty()) {
      throw new BerthException.InvalidArgument("cmd must not be empty");
    }
    return url("exec", cache.insert(target));
  }

  /** A URL for an attach; checked as kubelet checks the request. */
  public URI attachUrl(AttachTarget target) {
    requireContainer(target.containerId());
    requireStreams(target.tty(), target.stdin(), target.stdout(), target.stderr(), "and");
    return url("attach", cache.insert(target));
  }

  /** A URL for a port-forward. */
  public URI portForwardUrl(PortForwardTarget target) {
    if (target.podSandboxId() == null || target.podSandboxId().isEmpty()) {
      throw new BerthException.InvalidArgument("missing required pod_sandbox_id");
    }
    return url("portforward", cache.insert(target));
  }

  private static void requireContainer(String id) {
    if (id == null || id.isEmpty()) {
      throw new BerthException.InvalidArgument("missing required container_id");
    }
  }

  private static void requireStreams(boolean tty, boolean stdin, boolean stdout, boolean stderr, String conjunction) {
    if (tty && stderr) {
      throw new BerthException.InvalidArgument("tty and stderr cannot both be true");
    }
    if (!stdin && !stdout && !stderr) {
      throw new BerthException.InvalidArgument("one of stdin, stdout, " + conjunction + " stderr must be set");
    }
  }

  /** {@code http://host:port/}; an IPv6 host in brackets. */
  URI baseUri() {
    String host = address.getAddress() instanceof Inet6Address
        ? "[" + address.getAddress().getHostAddress() + "]" : address.getAddress().getHostAddress();
    return URI.create("http://" + host + ":" + address.getPort() + "/");
  }

  private URI url(String kind, String token) {
    return baseUri().resolve(kind + "/" + token);
  }

  /** Stops listening and ends every open stream connection (processes keep running). */
  @Override
  public void close() {
    listener.close().awaitUninterruptibly();
    connections.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
