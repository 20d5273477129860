package dev.berth.it.pod;

import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import dev.berth.engine.microvm.MicroVmRuntime;
import dev.berth.engine.network.NetworkDefaults;
import dev.berth.engine.pod.ContainerMetadata;
import dev.berth.engine.pod.PodContainerSpec;
import dev.berth.engine.pod.PodMetadata;
import dev.berth.engine.pod.PodNetworkConfig;
import dev.berth.engine.pod.SandboxSpec;
import dev.berth.testkit.HostNetwork;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The process {@link PodCrashIT} kills: it opens an engine (as berthd does), runs two pods with
 * a container each, prints their IDs and waits to be SIGKILLed.
 * Arguments: dir, registry host, image, pod subnet, pod bridge.
 */
public final class PodCrashChild {
  private PodCrashChild() {}

  static Engine open(Path dir, String registry, String subnet, String bridge) {
    Path data = dir.resolve("data");
    HostNetwork net = HostNetwork.forDaemon(data);
    PodNetworkConfig pods = PodNetworkConfig.DEFAULTS.withConfDir(dir.resolve("cni-conf")).withBridge(bridge, subnet);
    return Engine.open(new EngineConfig(data, dir.resolve("exec")).withPodNetwork(pods), Set.of(registry), Optional.empty(),
        new NetworkDefaults(net.bridge(), net.bip(), List.of(new NetworkDefaults.Pool(net.pool(), 26)), net.prefix()),
        new MicroVmRuntime.Settings(Optional.empty(), "tcg"));
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Engine engine = open(dir, args[1], args[3], args[4]);
    engine.puller().pull(engine.registry(h -> Optional.empty()), Reference.parse(args[2]), Platform.host(), e -> {});
    StringBuilder ids = new StringBuilder("READY");
    for (String name : List.of("one", "two")) {
      SandboxSpec spec = new SandboxSpec(new PodMetadata(name, name + "-uid", "crash", 0), name, "", null, null,
          Map.of("pod", name), null, null, null);
      String sid = engine.pods().runSandbox(spec);
      String cid = engine.pods().createContainer(sid, new PodContainerSpec(new ContainerMetadata("main", 0), args[2],
          List.of("sleep", "3600"), null, null, null, null, null, Map.of("c", name), null, null, false, false, false,
          null, null), spec);
      engine.pods().startContainer(cid);
      ids.append(' ').append(sid).append(' ').append(cid);
    }
    System.out.println(ids);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // until SIGKILL
  }
}
