package dev.berth.daemon.console;

import dev.berth.daemon.http.ApiServer;
import dev.berth.daemon.http.ExchangeHandler;
import dev.berth.daemon.http.HttpLimits;
import dev.berth.daemon.http.ListenAddress;
import dev.berth.daemon.http.ServerIdentity;
import dev.berth.daemon.http.ServerTls;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * berthd's web console ({@code --console-addr}): its own listener, in front of the same API
 * routes the socket serves. It is a client of that API, not a second engine: it never calls
 * the engine, only the {@link ExchangeHandler} it is given.
 */
public final class Console implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Console.class);

  private final ApiServer server;
  private final URI url;
  private final Path tokenFile;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private Console(ApiServer server, URI url, Path tokenFile) {
    this.server = server;
    this.url = url;
    this.tokenFile = tokenFile;
  }

  /**
   * {@code HOST:PORT} as {@code --console-addr} takes it (an IPv6 host in brackets; {@code tcp://}
   * may stand before it). Throws with what to write instead.
   */
  public static ListenAddress.Tcp parseAddress(String text) {
    String spec = text.strip();
    ListenAddress parsed;
    try {
      parsed = ListenAddress.parse(spec.startsWith("tcp://") ? spec : "tcp://" + spec);
    } catch (IllegalArgumentException e) {
      parsed = null;
    }
    if (!(parsed instanceof ListenAddress.Tcp tcp)) {
      throw new IllegalArgumentException("invalid --console-addr " + text + ": use HOST:PORT, as in 127.0.0.1:2380");
    }
    return tcp;
  }

  /**
   * Refuses an address that other machines can reach unless TLS is on: the console's token
   * would cross the network in the clear. Called before anything is opened or bound.
   */
  public static void requireTlsBeyondLoopback(ListenAddress.Tcp address, boolean tlsEnabled) {
    if (!tlsEnabled && !address.isLoopback()) {
      throw new IllegalArgumentException("refusing to serve the console on " + address.host() + ":" + address.port()
          + " without TLS: its token and everything it shows would cross the network in the clear. Use a loopback "
          + "address (127.0.0.1:PORT; reach it from elsewhere through an SSH tunnel) or turn TLS on with --tlsverify "
          + "or --tls and --tlscert/--tlskey (bin/berth-certs makes a first set)");
    }
  }

  /**
   * Makes a new token in {@code dataRoot/console.token}, listens on {@code address} (with
   * {@code tls} when given) and logs the URL with the token.
   */
  public static Console start(ListenAddress.Tcp address, ServerTls tls, Path dataRoot, ExchangeHandler api,
      ServerIdentity identity) throws IOException, InterruptedException {
    requireTlsBeyondLoopback(address, tls != null);
    ConsoleToken token = ConsoleToken.generate();
    ApiServer server = new ApiServer(new ConsoleHandler(token, api, tls != null), identity,
        new ApiServer.Options(tls, null, HttpLimits.DEFAULTS));
    ListenAddress.Tcp bound;
    try {
      bound = (ListenAddress.Tcp) server.listen(address.toString());
    } catch (IOException | RuntimeException e) {
      server.close();
      throw new IOException("cannot serve the console on " + address + ": " + e.getMessage(), e);
    }
    Path tokenFile;
    try {
      tokenFile = token.writeTo(dataRoot); // only once the console listens: a failed start leaves none
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    String host = bound.host().contains(":") ? "[" + bound.host() + "]" : bound.host();
    URI url = URI.create((tls != null ? "https" : "http") + "://" + host + ":" + bound.port() + "/");
    log.info("web console at {}?token={} (the token is also in {})", url, token.value(),
        dataRoot.resolve(ConsoleToken.FILE_NAME));
    return new Console(server, url, tokenFile);
  }

  public URI url() {
    return url;
  }

  /** Stops listening and removes the token file: the token dies with this berthd. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      server.stop(Duration.ofSeconds(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      java.nio.file.Files.deleteIfExists(tokenFile);
    } catch (IOException e) {
      log.warn("could not remove {}: {}", tokenFile, e.getMessage());
    }
  }
}
