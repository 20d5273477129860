package dev.berth.daemon.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's listeners on Netty's epoll transport: unix sockets (mode 0660, group from
 * {@link Options}, removed at stop; a stale file from a crash is replaced) and, when asked, TCP (with TLS when {@link Options}
 * carry it; the decision whether plain TCP may listen is taken before, in berthd's config).
 * One event-loop thread is enough: it only moves bytes; the work runs on virtual threads (see
 * {@link HttpConnection}).
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final List<Channel> listeners = new ArrayList<>();
  private final List<Path> socketFiles = new ArrayList<>();
  private final InFlight inFlight = new InFlight();
  private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
  private final ExchangeHandler dispatcher;
  private final ServerIdentity identity;
  private final Options options;

  /**
   * How the listeners behave beyond HTTP itself.
   *
   * @param tls TLS for TCP listeners, or null for plain TCP (unix sockets never use TLS, as with dockerd)
   * @param socketGroup the group of unix socket files, or null to keep the process's
   * @param limits sizes, times and counts a client may use
   */
  public record Options(ServerTls tls, GroupPrincipal socketGroup, HttpLimits limits) {
    public static final Options DEFAULTS = new Options(null, null, HttpLimits.DEFAULTS);

    public Options(ServerTls tls, GroupPrincipal socketGroup) {
      this(tls, socketGroup, HttpLimits.DEFAULTS);
    }

    public Options {
      limits = limits == null ? HttpLimits.DEFAULTS : limits;
    }
  }

  public ApiServer(ExchangeHandler dispatcher, ServerIdentity identity) {
    this(dispatcher, identity, Options.DEFAULTS);
  }

  public ApiServer(ExchangeHandler dispatcher, ServerIdentity identity, Options options) {
    this.dispatcher = dispatcher;
    this.identity = identity;
    this.options = options;
  }

  /** Starts listening on {@code spec}; returns the bound address (TCP port 0 becomes real). */
  public ListenAddress listen(String spec) throws IOException, InterruptedException {
    ListenAddress address;
    try {
      address = ListenAddress.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    return switch (address) {
      case ListenAddress.Unix unix -> listenUnix(unix);
      case ListenAddress.Tcp tcp -> listenTcp(tcp);
    };
  }

  private ListenAddress listenUnix(ListenAddress.Unix unix) throws IOException, InterruptedException {
    Path path = unix.path();
    Channel[] ch = new Channel[1];
    bindUnixSocket(path, options.socketGroup(), pending -> ch[0] = bootstrap(EpollServerDomainSocketChannel.class, null)
        .bind(new DomainSocketAddress(pending.toString())).sync().channel());
    listeners.add(ch[0]);
    socketFiles.add(path);
    log.info("API listening on {}", unix);
    return unix;
  }

  /** Binds a server on the path it is given (the API's Netty, the CRI's gRPC). */
  @FunctionalInterface
  public interface SocketBinder {
    void bind(Path path) throws IOException, InterruptedException;
  }

  /**
   * Makes the unix socket {@code path} appear with mode 0660 and {@code group} (null: the
   * process's): a stale file from a crash is removed, {@code binder} binds under a name of the
   * same length (socket paths are limited to 108 bytes), which gets its mode and group and is then
   * renamed into place, so a client never finds the socket with other ones. On failure no file
   * is left; the caller closes what {@code binder} bound.
   */
  public static void bindUnixSocket(Path path, GroupPrincipal group, SocketBinder binder)
      throws IOException, InterruptedException {
    Files.createDirectories(path.toAbsolutePath().getParent());
    removeStaleSocket(path);
    String name = path.getFileName().toString();
    Path pending = path.resolveSibling(name.substring(0, name.length() - 1) + "~");
    Files.deleteIfExists(pending);
    try {
      binder.bind(pending);
      Files.setPosixFilePermissions(pending, PosixFilePermissions.fromString("rw-rw----"));
      if (group != null) {
        Files.getFileAttributeView(pending, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(group);
      }
      Files.move(pending, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | InterruptedException | RuntimeException e) {
      Files.deleteIfExists(pending); // the caller closes what it bound
      throw e;
    }
  }

  private ListenAddress listenTcp(ListenAddress.Tcp tcp) throws InterruptedException {
    ServerTls tls = options.tls();
    Channel ch = bootstrap(EpollServerSocketChannel.class, tls)
        .bind(new InetSocketAddress(tcp.host(), tcp.port())).sync().channel();
    listeners.add(ch);
    InetSocketAddress bound = (InetSocketAddress) ch.localAddress();
    ListenAddress.Tcp actual = new ListenAddress.Tcp(tcp.host(), bound.getPort());
    if (tls == null && actual.isLoopback()) {
      log.warn("API listening on {} without TLS: every local user who can connect controls this host", actual);
    } else if (tls == null) {
      log.warn("API listening on {} without TLS: anyone who can reach it controls this host", actual);
    } else {
      log.info("API listening on {} with TLS{}", actual, tls.verifyClients()
          ? " (client certificates signed by the CA required)" : " (no client certificates: --tls without --tlsverify)");
    }
    return actual;
  }

  /**
   * A socket file left by a crashed berthd is removed. One that still answers belongs to a
   * live process, and taking it over would cut that process off, so that is an error.
   */
  public static void removeStaleSocket(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(path));
      throw new IOException("socket " + path + " is in use by another process; stop it or choose another -H");
    } catch (java.net.SocketException e) {
      // Nobody listens: a leftover from a crash.
      Files.delete(path);
      log.info("removed stale socket {}", path);
    }
  }

  private ServerBootstrap bootstrap(Class<? extends io.netty.channel.ServerChannel> type, ServerTls tls) {
    return new ServerBootstrap()
        .group(group)
        .channel(type)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        // Unpooled buffers: the pooled allocator keeps megabytes of arenas for an API whose
        // messages are small; large bodies stream through in bounded chunks anyway.
        .option(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
        .childOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            connections.add(ch);
            HttpLimits limits = options.limits();
            boolean overLimit = open.incrementAndGet() > limits.maxConnections();
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            ChannelPipeline pipeline = ch.pipeline();
            if (tls != null) {
              // Handshake failures (no or a foreign client certificate) close the connection.
              pipeline.addLast(tls.context().newHandler(ch.alloc()));
            }
            // First in the pipeline, so a stalled TLS handshake is timed too.
            var headTimeout = RequestHeadTimeout.install(pipeline, limits.requestHeadTimeout());
            pipeline.addLast(new HttpServerCodec(limits.maxRequestLine(), limits.maxHeaderBytes(), 8192));
            pipeline.addLast(RequestHeadTimeout.MESSAGES, headTimeout);
            if (overLimit) {
              log.warn("connection refused: {} connections open, the limit", limits.maxConnections());
              pipeline.addLast(new ConnectionLimitReached(limits.maxConnections()));
            } else {
              pipeline.addLast(new HttpServerExpectContinueHandler(), new HttpConnection(dispatcher, inFlight, identity,
                  limits));
            }
          }
        });
  }

  /** Connections open now (for tests and limits). */
  int openConnections() {
    return open.get();
  }

  public InFlight inFlight() {
    return inFlight;
  }

  /**
   * Stops accepting, lets requests in flight finish (up to {@code grace}: streams such as
   * {@code logs -f} never end by themselves), then closes every connection.
   */
  public void stop(Duration grace) throws InterruptedException {
    for (Channel listener : listeners) {
      listener.close().sync();
    }
    for (Path socket : socketFiles) {
      try {
        Files.deleteIfExists(socket);
      } catch (IOException e) {
        log.warn("could not remove socket {}: {}", socket, e.getMessage());
      }
    }
    if (!inFlight.awaitIdle(grace)) {
      log.info("{} request(s) still running after {}s; closing them", inFlight.active(), grace.toSeconds());
    }
    connections.close().await(Duration.ofSeconds(5).toMillis());
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).await(5_000);
  }

  @Override
  public void close() throws InterruptedException {
    stop(Duration.ZERO);
  }
}
