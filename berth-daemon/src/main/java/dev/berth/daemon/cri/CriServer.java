package dev.berth.daemon.cri;

import dev.berth.daemon.http.ApiServer;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRI's gRPC server on a unix socket, with the Docker socket's lifecycle: created 0660 in
 * the sockets' group, a stale file from a crash replaced, a live one an error, removed at stop.
 * grpc-netty-shaded carries its own Netty, so it never meets the HTTP API's Netty 4.2. Calls
 * run on virtual threads (the services block on the engine).
 */
public final class CriServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CriServer.class);
  /** kubelet's own limit for CRI messages (ListContainers of a busy node is large). */
  private static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
  private static final int FLOW_CONTROL_WINDOW_BYTES = 1024 * 1024;
  /** The shaded Netty's name for io.netty.leakDetection.level. */
  private static final String LEAK_DETECTION = "io.grpc.netty.shaded.io.netty.leakDetection.level";

  private final Server server;
  private final Path socket;
  private final EventLoopGroup loop;
  private final ExecutorService calls;
  /** Closed with this server (the streaming server), or null. */
  private final AutoCloseable companion;

  private CriServer(Server server, Path socket, EventLoopGroup loop, ExecutorService calls, AutoCloseable companion) {
    this.server = server;
    this.socket = socket;
    this.loop = loop;
    this.calls = calls;
    this.companion = companion;
  }

  /** Binds {@code socket} and serves {@code services} on it; {@code companion} (may be null) is closed with it. */
  public static CriServer start(Path socket, GroupPrincipal group, List<BindableService> services,
      AutoCloseable companion) throws IOException {
    // Netty's leak detector records a stack trace for a sample of buffers: a debugging aid that
    // costs each crictl connection (a new one per command) for nothing in production.
    if (System.getProperty(LEAK_DETECTION) == null) {
      System.setProperty(LEAK_DETECTION, "disabled");
    }
    EventLoopGroup loop = new EpollEventLoopGroup(1);
    ExecutorService calls = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("cri-", 0).factory());
    Server[] started = new Server[1];
    try {
      // as the API sockets: it appears at its path with its mode and group already set
      ApiServer.bindUnixSocket(socket, group, pending -> {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(pending.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(loop)
            .workerEventLoopGroup(loop)
            .executor(calls)
            .maxInboundMessageSize(MAX_MESSAGE_BYTES)
            // a fixed window (grpc-java's default size) turns off the BDP pings that size it: on a
            // unix socket there is no delay to measure, and each ping is a round trip per connection
            .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES);
        services.forEach(s -> builder.addService(io.grpc.ServerInterceptors.intercept(s, new CallTimer())));
        started[0] = builder.build();
        started[0].start();
      });
    } catch (IOException | RuntimeException | InterruptedException e) {
      if (started[0] != null) {
        started[0].shutdownNow();
      }
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      calls.shutdownNow();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while binding the CRI socket " + socket, e);
      }
      if (e instanceof IOException io) {
        throw new IOException("cannot serve the CRI on " + socket + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
    log.info("CRI listening on unix://{}", socket);
    return new CriServer(started[0], socket, loop, calls, companion);
  }

  public Path socket() {
    return socket;
  }

  /** Stops taking calls, lets those in flight end (streams such as GetContainerEvents are cut), removes the socket. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(3, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    calls.shutdownNow();
    if (companion != null) {
      try {
        companion.close();
      } catch (Exception e) {
        log.warn("closing the CRI streaming server: {}", e.getMessage());
      }
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.warn("could not remove the CRI socket {}: {}", socket, e.getMessage());
    }
  }
}
