package dev.berth.engine.container;

import dev.berth.engine.runtime.Bundle;
import dev.berth.engine.runtime.Conmon;
import dev.berth.engine.runtime.ContainerLaunch;
import dev.berth.engine.runtime.ContainerProcess;
import dev.berth.engine.runtime.DockerSeccompProfile;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.User;
import dev.berth.engine.userns.NamespaceHolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A start's work up to the runtime's create, under the container's lock: the rootfs mounted and
 * populated, the spec built and written as the bundle, the network attaching, conmon launched and
 * {@code runc create} done. The created container's init waits for {@link ContainerProcess#start()}.
 * Run by the start itself, or ahead of it for a pod's container ({@link CreatesAhead}, decision 2800).
 */
final class RuntimeCreates {
  private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(30);

  /** What a create made. {@link #close()} once the process started or the create was dropped. */
  record Created(ContainerProcess process, ContainerNetworks.Start network, Optional<NamespaceHolder> holder,
      long mountMillis, long bundleMillis, long createMillis) implements AutoCloseable {
    @Override
    public void close() {
      holder.ifPresent(NamespaceHolder::close);
    }
  }

  /** The start-time inputs of a spec that belong to the host, fixed at berthd's start. */
  record Host(Path initBinary, long nofileHard, List<String> caps, Optional<DockerSeccompProfile> defaultSeccomp) {}

  private final ContainerStore store;
  private final ContainerExits exits;
  private final ContainerRootfs rootfs;
  private final ContainerMounts mounts;
  private final ContainerUserns userns;
  private final Host host;
  private final Supplier<SpecHook> specHook;

  RuntimeCreates(ContainerStore store, ContainerExits exits, ContainerRootfs rootfs, ContainerMounts mounts,
      ContainerUserns userns, Host host, Supplier<SpecHook> specHook) {
    this.store = store;
    this.exits = exits;
    this.rootfs = rootfs;
    this.mounts = mounts;
    this.userns = userns;
    this.host = host;
    this.specHook = specHook;
  }

  /**
   * Creates {@code c} in its runtime (lock held). On failure what it made stays for the caller to
   * free ({@link #undo}, or the start's failure path): the rootfs mount and the network.
   */
  Created create(Container c) {
    exits.awaitRuntimeDelete(c.id()); // the last run's runc state and conmon files must be gone first
    Conmon conmon = store.conmon(c);
    Path dir = store.dir(c.id());
    long t0 = System.nanoTime();
    Optional<NamespaceHolder> holder = Optional.empty();
    boolean created = false;
    try {
      rootfs.mount(c);
      long tMount = System.nanoTime();
      Path root = dir.resolve("rootfs");
      mounts.populate(c.config().storage(), root);
      User user = Users.resolve(c.config().user(), c.config().host().groupAdd(), Users.readEtc(root, "passwd"),
          Users.readEtc(root, "group"));
      Spec spec = ContainerSpecs.build(c.id(), c.config(), root, new ContainerSpecs.EtcFiles(dir.resolve("hosts"),
          dir.resolve("hostname"), dir.resolve("resolv.conf")), user, host.initBinary(), host.nofileHard(),
          host.caps(), host.defaultSeccomp());
      spec = SharedNamespaces.apply(spec, c.config(), store::find);
      spec = specHook.get().apply(c, spec);
      holder = userns.holder(c.config()); // a remapped container's namespaces, joined by its create
      ContainerNetworks.Start network = store.networks().attach(c, dir, store::find,
          holder.map(NamespaceHolder::netns));
      spec = network.withLinks(spec);
      if (network.netns().isPresent()) {
        spec = ContainerNetworks.joinNetns(spec, network.netns().get());
      }
      spec = userns.apply(spec, c.config(), holder, store::find);
      Bundle bundle = Bundle.write(dir, spec);
      long tBundle = System.nanoTime();
      clearExitFile(conmon, c.id());
      ContainerProcess process = conmon.create(new ContainerLaunch(c.id(), c.name(), bundle, store.logPath(c.id()),
          c.config().logConfig().conmonSizeMax(),
          c.config().tty(), c.config().openStdin(), !c.config().stdinOnce()), CREATE_TIMEOUT);
      long tCreate = System.nanoTime();
      created = true;
      return new Created(process, network, holder, (tMount - t0) / 1_000_000, (tBundle - tMount) / 1_000_000,
          (tCreate - tBundle) / 1_000_000);
    } finally {
      if (!created) {
        holder.ifPresent(NamespaceHolder::close);
      }
    }
  }

  /** Frees what a failed create left (lock held): the network and the rootfs mount. */
  void undo(String id) {
    store.networks().detach(id);
    rootfs.unmount(id);
  }

  /** Drops a create that will not be started (lock held): the runtime's container and conmon, then {@link #undo}. */
  void discard(String id, Created created) {
    try {
      created.process().delete();
    } finally {
      created.close();
      undo(id);
    }
  }

  private static void clearExitFile(Conmon conmon, String id) {
    try {
      Files.deleteIfExists(conmon.paths(id).exitFile());
    } catch (IOException ignored) {
      // conmon overwrites it anyway
    }
  }
}
