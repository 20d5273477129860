package dev.berth.it.pod;

import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import dev.berth.engine.microvm.MicroVmRuntime;
import dev.berth.engine.network.NetworkDefaults;
import dev.berth.engine.pod.PodNetworkConfig;
import dev.berth.engine.pod.PodSandbox;
import dev.berth.engine.pod.SandboxFilter;
import dev.berth.testkit.HostNetwork;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * An engine on temp dirs for pod tests: a local registry with the test busybox (pulled), the
 * daemon's own bridge and chains, and a pod network of its own — a temp CNI config dir (the
 * host's /etc/cni/net.d is never touched), a bridge and a /24 no other test uses.
 */
final class PodHarness implements AutoCloseable {
  final Path dir;
  final LocalRegistry registry;
  final String busybox;
  final PodNetworkConfig podNetwork;
  Engine engine;
  private final HostNetwork network;
  private final Supplier<Engine> opener;

  private PodHarness(Path dir, LocalRegistry registry, String busybox, PodNetworkConfig podNetwork,
      HostNetwork network, Supplier<Engine> opener, Engine engine) {
    this.dir = dir;
    this.registry = registry;
    this.busybox = busybox;
    this.podNetwork = podNetwork;
    this.network = network;
    this.opener = opener;
    this.engine = engine;
  }

  static PodHarness start(Path dir) throws IOException {
    LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
    Path data = dir.resolve("data");
    HostNetwork net = HostNetwork.forDaemon(data);
    // The daemon's /24 is 10.a.b.0 and its pool 10.a.b+2.0/23: 10.a.b+1.0/24 is free for pods.
    String[] octets = net.bip().split("[./]");
    String podSubnet = octets[0] + "." + octets[1] + "." + (Integer.parseInt(octets[2]) + 1) + ".0/24";
    PodNetworkConfig pods = PodNetworkConfig.DEFAULTS.withConfDir(Files.createDirectories(dir.resolve("cni-conf")))
        .withBridge("bp" + net.bridge().substring(2), podSubnet);
    Engine engine = null;
    try {
      String image = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest")
          .pushTo(registry.host() + "/test/busybox:latest");
      Supplier<Engine> opener = () -> Engine.open(new EngineConfig(data, dir.resolve("exec")).withPodNetwork(pods),
          Set.of(registry.host()), Optional.empty(), new NetworkDefaults(net.bridge(), net.bip(),
              List.of(new NetworkDefaults.Pool(net.pool(), 26)), net.prefix()),
          new MicroVmRuntime.Settings(Optional.empty(), "tcg"));
      engine = opener.get();
      engine.puller().pull(engine.registry(h -> Optional.empty()), Reference.parse(image), Platform.host(), e -> {});
      return new PodHarness(dir, registry, image, pods, net, opener, engine);
    } catch (RuntimeException | AssertionError e) {
      if (engine != null) {
        engine.close();
      }
      registry.close();
      net.cleanUp();
      Leftovers.removeUnder(dir);
      throw e;
    }
  }

  /** Closes the engine and opens it again on the same dirs (berthd restarted; conmon kept the pods running). */
  void restart() {
    engine.close();
    engine = opener.get();
  }

  @Override
  public void close() {
    for (PodSandbox s : engine.pods().listSandboxes(SandboxFilter.ALL)) {
      try {
        engine.pods().removeSandbox(s.id());
      } catch (RuntimeException e) {
        // the next step removes the containers; the network is freed by the DEL that ran anyway
      }
    }
    for (var c : engine.containers().list()) {
      try {
        engine.containers().remove(c.id(), true, true);
      } catch (RuntimeException ignored) {
        // best effort; Leftovers below is the last resort
      }
    }
    engine.close();
    registry.close();
    network.cleanUp();
    try {
      new ProcessBuilder("ip", "link", "delete", podNetwork.bridge()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    } catch (IOException | InterruptedException ignored) {
      // no bridge: nothing to delete
    }
    Leftovers.removeUnder(dir);
  }
}
