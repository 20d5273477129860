package dev.berth.it.build;

import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.build.BuildCancel;
import dev.berth.engine.build.BuildEvent;
import dev.berth.engine.build.BuildRequest;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import dev.berth.engine.microvm.MicroVmRuntime;
import dev.berth.engine.network.NetworkDefaults;
import dev.berth.testkit.HostNetwork;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The builder driven in-process: a local registry holding the test busybox, and an engine on
 * temp dirs (its own bridge and iptables chains) that pulled it. The HTTP route belongs to
 * build-api; these tests exercise the engine's side alone.
 */
final class EngineHarness implements AutoCloseable {
  final Path dir;
  final LocalRegistry registry;
  Engine engine;
  final String busybox;
  private final HostNetwork network;
  private final java.util.function.Supplier<Engine> opener;

  private EngineHarness(Path dir, LocalRegistry registry, Engine engine, String busybox, HostNetwork network,
      java.util.function.Supplier<Engine> opener) {
    this.opener = opener;
    this.dir = dir;
    this.registry = registry;
    this.engine = engine;
    this.busybox = busybox;
    this.network = network;
  }

  static EngineHarness start(Path dir) {
    LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
    Path data = dir.resolve("data");
    HostNetwork net = HostNetwork.forDaemon(data);
    Engine engine = null;
    try {
      String image = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest")
          .pushTo(registry.host() + "/test/busybox:latest");
      java.util.function.Supplier<Engine> opener = () -> Engine.open(new EngineConfig(data, dir.resolve("exec")),
          Set.of(registry.host()), Optional.empty(), new NetworkDefaults(net.bridge(), net.bip(),
              List.of(new NetworkDefaults.Pool(net.pool(), 26)), net.prefix()), new MicroVmRuntime.Settings(Optional.empty(), "tcg"));
      engine = opener.get();
      engine.puller().pull(engine.registry(h -> Optional.empty()), Reference.parse(image), Platform.host(), e -> {});
      return new EngineHarness(dir, registry, engine, image, net, opener);
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

  /** A build's outcome: the image ID or the error, and every stream line. */
  record Built(String imageId, RuntimeException error, String output) {
    Built ok() {
      if (error != null) {
        throw new AssertionError("build failed: " + error.getMessage() + "\n" + output, error);
      }
      return this;
    }
  }

  /** Closes the engine and opens it again on the same dirs (a berthd restart). */
  void restart() {
    engine.close();
    engine = opener.get();
  }

  Built build(BuildRequest request) {
    return build(request, new BuildCancel());
  }

  Built build(BuildRequest request, BuildCancel cancel) {
    StringBuilder out = new StringBuilder();
    List<String> aux = new ArrayList<>();
    try {
      String id = engine.builds().build(request, e -> {
        synchronized (out) {
          switch (e) {
            case BuildEvent.Stream s -> out.append(s.text());
            case BuildEvent.Aux a -> aux.add(a.imageId());
          }
        }
      }, cancel);
      return new Built(id, null, out.toString());
    } catch (RuntimeException e) {
      return new Built(null, e, out.toString());
    }
  }

  /** A context dir with {@code files} (name, content pairs); the Dockerfile is one of them. */
  Path context(String name, String... files) throws IOException {
    Path ctx = Files.createDirectories(dir.resolve("contexts").resolve(name));
    for (int i = 0; i < files.length; i += 2) {
      Path p = ctx.resolve(files[i]);
      Files.createDirectories(p.getParent());
      Files.writeString(p, files[i + 1]);
    }
    return ctx;
  }

  Image image(String id) {
    return engine.images().find(id);
  }

  /** Reads a file of an image through a container that never starts. */
  String read(String imageId, String path) throws IOException {
    var c = engine.containers().create(null, dev.berth.engine.container.ContainerConfig.ofImage(imageId,
        List.of("true")));
    try {
      return engine.containers().rootfs().withRootfs(c.id(), (x, rootfs) ->
          Files.readString(dev.berth.engine.filesystem.RootfsPath.resolve(rootfs, path, true)));
    } finally {
      engine.containers().remove(c.id(), true, true);
    }
  }

  boolean exists(String imageId, String path) throws IOException {
    var c = engine.containers().create(null, dev.berth.engine.container.ContainerConfig.ofImage(imageId,
        List.of("true")));
    try {
      Boolean found = engine.containers().rootfs().withRootfs(c.id(), (x, rootfs) -> Files.exists(
          dev.berth.engine.filesystem.RootfsPath.resolve(rootfs, path, false), java.nio.file.LinkOption.NOFOLLOW_LINKS));
      return found;
    } finally {
      engine.containers().remove(c.id(), true, true);
    }
  }

  /** {@code stat -c '%a %u:%g'} of a path in an image. */
  String stat(String imageId, String path) throws IOException {
    var c = engine.containers().create(null, dev.berth.engine.container.ContainerConfig.ofImage(imageId,
        List.of("true")));
    try {
      return engine.containers().rootfs().withRootfs(c.id(), (x, rootfs) -> {
        Path p = dev.berth.engine.filesystem.RootfsPath.resolve(rootfs, path, false);
        int mode = (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        int uid = (Integer) Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(p, "unix:gid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        return Integer.toOctalString(mode & 07777) + " " + uid + ":" + gid;
      });
    } finally {
      engine.containers().remove(c.id(), true, true);
    }
  }

  int containerCount() {
    return engine.containers().list().size();
  }

  int imageCount() {
    return engine.images().count();
  }

  /**
   * The mounts under the test dir once the background teardown of ended containers (their
   * network namespaces) has had up to 10 s to finish.
   */
  List<String> mounts() {
    dev.berth.testkit.Poll.until(java.time.Duration.ofSeconds(10), () -> Leftovers.mountsUnder(dir).isEmpty());
    return Leftovers.mountsUnder(dir);
  }

  @Override
  public void close() {
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
