package dev.berth.daemon;

import dev.berth.daemon.api.berth.BerthApi;
import dev.berth.daemon.api.docker.DockerApi;
import dev.berth.daemon.http.ApiServer;
import dev.berth.daemon.http.ApiVersion;
import dev.berth.daemon.http.Dispatcher;
import dev.berth.daemon.http.Router;
import dev.berth.daemon.http.ServerTls;
import dev.berth.daemon.http.ServerIdentity;
import dev.berth.engine.BerthVersion;
import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * berthd's life: take the data-root lock, open the engine, serve the API, write the pidfile;
 * on SIGTERM or SIGINT stop accepting, let requests finish, close everything, exit 0.
 */
final class Daemon {
  /** How long requests in flight may take to finish at shutdown. */
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

  private final DaemonConfig config;
  /** Where the CRI is served; empty = off. */
  private final java.util.Optional<Path> criSocket;
  /** The pods' CNI config and plugin dirs ({@code --cni-config-dir}, {@code --cni-plugin-dir}). */
  private final dev.berth.engine.pod.PodNetworkConfig podNetwork;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private Logger log;

  Daemon(DaemonConfig config) {
    this(config, java.util.Optional.empty());
  }

  Daemon(DaemonConfig config, java.util.Optional<Path> criSocket) {
    this(config, criSocket, dev.berth.engine.pod.PodNetworkConfig.DEFAULTS);
  }

  Daemon(DaemonConfig config, java.util.Optional<Path> criSocket, dev.berth.engine.pod.PodNetworkConfig podNetwork) {
    this.config = config;
    this.criSocket = criSocket;
    this.podNetwork = podNetwork;
  }

  int run() {
    configureLogging(config.logLevel());
    log = LoggerFactory.getLogger(Daemon.class);
    // Certificates are read before anything else is touched: a wrong path fails at once.
    ApiServer.Options serverOptions;
    try {
      serverOptions = serverOptions();
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("berthd: " + e.getMessage());
      return 1;
    }
    DataRootLock lock;
    try {
      lock = DataRootLock.acquire(config.dataRoot());
    } catch (DataRootLock.HeldException e) {
      System.err.println("berthd: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      System.err.println("berthd: cannot lock data-root " + config.dataRoot() + ": " + e.getMessage());
      return 1;
    }
    // Before anything a client can see (the socket, the pidfile): a SIGTERM that arrives as soon
    // as the socket exists must take the clean path, not the JVM's default exit 143. One that
    // arrives while the engine opens is honoured once it is open.
    Signal.handle(new Signal("TERM"), s -> stopRequested.countDown());
    Signal.handle(new Signal("INT"), s -> stopRequested.countDown());
    Engine engine = null;
    ApiServer server = null;
    dev.berth.daemon.console.Console console = null;
    dev.berth.daemon.cri.CriServer cri = null;
    try (lock) {
      EngineConfig engineConfig = new EngineConfig(config.dataRoot(), config.execRoot())
          .withMirrors(config.registryMirrors()).withPodNetwork(podNetwork);
      if (config.usernsRemap() != null) {
        // the user, its ranges and the data-root's path are checked before anything opens (decision 2000)
        engineConfig = engineConfig.withRemapping(dev.berth.engine.userns.RemapSetup.system().resolve(config.usernsRemap()));
      }
      engine = Engine.open(engineConfig,
          java.util.Set.copyOf(config.insecureRegistries()), java.util.Optional.ofNullable(config.defaultRuntime()),
          config.networks(), config.microVm());
      Router router = new Router();
      DockerApi.register(router, engine);
      BerthApi.register(router, engine);
      Dispatcher dispatcher = new Dispatcher(router, ApiVersion.parse(BerthVersion.MIN_API_VERSION),
          ApiVersion.parse(BerthVersion.API_VERSION), java.util.List.of(config.dataRoot()));
      ServerIdentity identity = new ServerIdentity("Berth/" + BerthVersion.version() + " (linux)",
          BerthVersion.API_VERSION, "linux");
      server = new ApiServer(dispatcher, identity, serverOptions);
      // The pidfile first: a client that reaches the socket may rely on it (a failed start
      // removes it again in shutdown).
      writePidfile(config.pidfile());
      for (String host : config.hosts()) {
        server.listen(host);
      }
      config.registryMirrors().byRegistry().forEach((registry, mirrors) ->
          log.info("pulls from {} try the mirrors {} first", registry, mirrors));
      if (config.consoleAddr() != null) {
        // A client of the same dispatcher the socket serves (decision 1500).
        console = dev.berth.daemon.console.Console.start(dev.berth.daemon.console.Console.parseAddress(
            config.consoleAddr()), serverOptions.tls(), config.dataRoot(), dispatcher, identity);
      }
      if (criSocket.isPresent()) {
        cri = dev.berth.daemon.cri.CriApi.serve(engine, criSocket.get(), serverOptions.socketGroup());
      }
      log.info("berthd {} ready (pid {}, data-root {}, exec-root {})", BerthVersion.version(),
          ProcessHandle.current().pid(), config.dataRoot(), config.execRoot());
      stopRequested.await();
      log.info("shutting down");
      return 0;
    } catch (Exception e) {
      log.error("berthd failed: {}", e.getMessage(), log.isDebugEnabled() ? e : null);
      System.err.println("berthd: " + e.getMessage());
      return 1;
    } finally {
      if (console != null) {
        console.close();
      }
      if (cri != null) {
        cri.close();
      }
      shutdown(server, engine);
    }
  }

  private ApiServer.Options serverOptions() throws IOException {
    TlsOptions tls = config.tls();
    for (var exposed : tls.exposedPlainListeners(config.hosts())) {
      log.warn("!!! API served on {} WITHOUT TLS because of --tls=false: anyone who can reach this address "
          + "controls this host as root. Use --tlsverify, or listen on loopback only. !!!", exposed);
    }
    ServerTls serverTls = tls.enabled() ? ServerTls.load(tls.ca(), tls.cert(), tls.key(), tls.verifies()) : null;
    if (tls.enabled() && !tls.verifies()) {
      log.warn("TLS without --tlsverify: any client that reaches a TCP listener may use the API");
    }
    java.nio.file.attribute.GroupPrincipal group = SocketGroup.resolve(config.socketGroup());
    return new ApiServer.Options(serverTls, group,
        dev.berth.daemon.http.HttpLimits.DEFAULTS.withMaxConnections(config.maxApiConnections()));
  }

  private void shutdown(ApiServer server, Engine engine) {
    if (server != null) {
      try {
        server.stop(SHUTDOWN_GRACE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (engine != null) {
      engine.close();
    }
    try {
      Files.deleteIfExists(config.pidfile());
    } catch (IOException e) {
      log.warn("could not remove pidfile {}: {}", config.pidfile(), e.getMessage());
    }
  }

  /** Written to a temp name and renamed, so a reader never sees half a pid. */
  private static void writePidfile(Path pidfile) throws IOException {
    Files.createDirectories(pidfile.toAbsolutePath().getParent());
    Path tmp = pidfile.resolveSibling(pidfile.getFileName() + ".tmp");
    Files.writeString(tmp, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, pidfile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** slf4j-simple reads these once, when the first logger is made. */
  static void configureLogging(DaemonConfig.LogLevel level) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level.slf4jLevel());
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
    System.setProperty("org.slf4j.simpleLogger.log.io.netty", "warn");
    // grpc's shaded Netty warns on every CRI connection that unix sockets have no SO_KEEPALIVE, and
    // logs every HTTP/2 frame at debug
    System.setProperty("org.slf4j.simpleLogger.log.io.grpc.netty.shaded", "error");
  }
}
