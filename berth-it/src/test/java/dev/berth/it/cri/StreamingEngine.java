package dev.berth.it.cri;

import dev.berth.daemon.cri.streaming.EngineStreamingBackend;
import dev.berth.daemon.cri.streaming.StreamingServer;
import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import dev.berth.engine.microvm.MicroVmRuntime;
import dev.berth.engine.network.NetworkDefaults;
import dev.berth.testkit.HostNetwork;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Berth engine in this JVM on temp dirs (its own bridge and chains; busybox pulled from a local
 * registry) with the CRI streaming server over it, as berthd wires them.
 */
final class StreamingEngine implements AutoCloseable {
  final Path dir;
  final Engine engine;
  final StreamingServer server;
  final String busybox;
  private final LocalRegistry registry;
  private final HostNetwork network;

  private StreamingEngine(Path dir, Engine engine, StreamingServer server, String busybox, LocalRegistry registry,
      HostNetwork network) {
    this.dir = dir;
    this.engine = engine;
    this.server = server;
    this.busybox = busybox;
    this.registry = registry;
    this.network = network;
  }

  static StreamingEngine start(Path dir) throws IOException {
    LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
    Path data = dir.resolve("data");
    HostNetwork net = HostNetwork.forDaemon(data);
    Engine engine = null;
    try {
      String image = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest")
          .pushTo(registry.host() + "/test/busybox:latest");
      engine = Engine.open(new EngineConfig(data, dir.resolve("exec")), Set.of(registry.host()), Optional.empty(),
          new NetworkDefaults(net.bridge(), net.bip(), List.of(new NetworkDefaults.Pool(net.pool(), 26)), net.prefix()),
          new MicroVmRuntime.Settings(Optional.empty(), "tcg"));
      engine.puller().pull(engine.registry(h -> Optional.empty()), Reference.parse(image), Platform.host(), e -> {});
      StreamingServer server = StreamingServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
          new EngineStreamingBackend(engine.containers()));
      return new StreamingEngine(dir, engine, server, image, registry, net);
    } catch (IOException | RuntimeException | AssertionError e) {
      if (engine != null) {
        engine.close();
      }
      registry.close();
      net.cleanUp();
      Leftovers.removeUnder(dir);
      throw e;
    }
  }

  /**
   * Creates and starts a container running {@code cmd}; with {@code stdin} it has a stdin (docker
   * run -i) that the first attach's end of input closes (stdinOnce, as CRI's stdin_once).
   */
  String run(String name, boolean tty, boolean stdin, String... cmd) {
    ContainerConfig config = new ContainerConfig(busybox, null, List.of(cmd), null, null, null, null, null, null, tty,
        stdin, stdin, null, null, false, false, false, null, null, false, null, 0, 0, 0, 0, null, 0, null, null, null,
        null, null, null, null);
    String id = engine.containers().create(name, config).id();
    engine.containers().start(id);
    return id;
  }

  @Override
  public void close() {
    server.close();
    try {
      for (var c : engine.containers().list()) {
        engine.containers().remove(c.id(), true, true);
      }
    } catch (RuntimeException ignored) {
      // best effort; Leftovers below is the last resort
    }
    engine.close();
    registry.close();
    network.cleanUp();
    Leftovers.removeUnder(dir);
  }
}
