package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.network.Attached;
import dev.berth.engine.network.NetworkService;
import dev.berth.engine.runtime.spec.Linux;
import dev.berth.engine.runtime.spec.Namespace;
import dev.berth.engine.runtime.spec.Spec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The container side of networking: joins a new container to its networks, attaches it at start
 * (the namespace path goes into the spec, its addresses into /etc/hosts and its name server into
 * /etc/resolv.conf), releases it at exit and removal. Without a network service (unit tests),
 * every container gets a namespace of its own with loopback only.
 */
final class ContainerNetworks {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ContainerNetworks.class);
  private final NetworkService networks;
  private final ImageService images;

  ContainerNetworks(NetworkService networks, ImageService images) {
    this.networks = networks;
    this.images = images;
  }

  /** Checks the mode and records the container's networks (create). */
  void join(String id, String name, ContainerConfig c, Function<String, Container> find) {
    String mode = c.networkMode();
    if (mode.startsWith("container:")) {
      find.apply(mode.substring("container:".length()));
      return;
    }
    if (networks == null || !NetworkService.isNetworkMode(mode)) {
      return; // with host networking, published ports are discarded (as Docker does, with a warning)
    }
    networks.join(id, name, mode, c.networking().endpoints());
  }

  /**
   * A starting container's network: the namespace the spec joins (empty: runc makes one, for
   * none, or there is none, for host), and the CNI work still running for it.
   */
  record Start(Optional<Path> netns, Optional<NetworkService.PendingAttachment> attaching, Path dir,
      ContainerConfig config, Optional<String> hostGateway, List<String> linkEnv, List<String> linkHosts) {
    static Start of(Optional<Path> netns) {
      return new Start(netns, Optional.empty(), null, null, Optional.empty(), List.of(), List.of());
    }

    /** The spec with the legacy links' variables (none without links). */
    Spec withLinks(Spec spec) {
      return ContainerLinks.withEnv(spec, linkEnv);
    }

    /**
     * Waits for the interfaces (CNI ADD ran beside the runtime's create) and writes /etc/hosts
     * and /etc/resolv.conf in place (the container's bind mounts see them); call it before the
     * process starts. A failure here leaves the namespace to the caller's detach.
     */
    Optional<NetworkService.Attachment> ready() {
      if (attaching.isEmpty()) {
        return Optional.empty();
      }
      long t0 = System.nanoTime();
      NetworkService.Attachment a = attaching.get().await();
      log.debug("container {}: waited {} us for its interfaces", dir.getFileName().toString().substring(0, 12),
          (System.nanoTime() - t0) / 1000);
      try {
        writeEtc(dir, config, a.addresses(), a.nameserver(), hostGateway, linkHosts);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the network files of container " + dir.getFileName(), e);
      }
      return Optional.of(a);
    }
  }

  /** Attaches a starting container to its networks: the namespace now, the interfaces by {@link Start#ready}. */
  Start attach(Container c, Path dir, Function<String, Container> find) {
    return attach(c, dir, find, Optional.empty());
  }

  /** As above; a remapped container's network namespace is {@code existing} (made in its user namespace). */
  Start attach(Container c, Path dir, Function<String, Container> find, Optional<Path> existing) {
    String mode = c.config().networkMode();
    if (mode.startsWith("container:")) {
      Container other = find.apply(mode.substring("container:".length()));
      if (!(other.state() instanceof ContainerState.Running r)) {
        throw new BerthException.Conflict("cannot join network of a non running container: " + other.id());
      }
      if (VmIsolation.isVm(other.config())) {
        throw new BerthException.InvalidArgument("cannot join the network of container " + other.shortId()
            + " (--network container:…): it runs in a microVM (--isolation=vm), whose network stack is the guest's");
      }
      if (other.config().networkMode().equals("host")) {
        return Start.of(Optional.of(Path.of("/proc/" + r.pid() + "/ns/net")));
      }
      Path ns = networks == null ? null : networks.netnsPath(other.id());
      return Start.of(Optional.of(ns != null && Files.exists(ns) ? ns : Path.of("/proc/" + r.pid() + "/ns/net")));
    }
    if (networks == null || !NetworkService.isNetworkMode(mode)) {
      return Start.of(Optional.empty());
    }
    List<ContainerLinks.Resolved> links = links(c, find); // before any network work: a stopped one fails the start
    boolean publishAll = c.config().networking().publishAllPorts();
    NetworkService.PendingAttachment a = networks.attachAsync(c.id(), c.config().networking().portBindings(),
        publishAll, publishAll ? exposed(c) : Set.of(), existing); // the image's config is read only when -P needs it
    return new Start(Optional.of(a.netns()), Optional.of(a), dir, c.config(), hostGateway(),
        ContainerLinks.env(c.name(), links), ContainerLinks.hostsLines(links));
  }

  /** The running containers a container links to, with their default-bridge addresses. */
  private List<ContainerLinks.Resolved> links(Container c, Function<String, Container> find) {
    List<ContainerLinks.Resolved> out = new ArrayList<>();
    for (HostOptions.Link l : c.config().host().links()) {
      Container child;
      try {
        child = find.apply(l.container());
      } catch (BerthException.NotFound e) {
        throw new BerthException.Conflict("could not get container for " + l.name() + ": it was removed; remove the"
            + " link (docker rm --link /" + c.name() + "/" + l.alias() + ") or create the container again");
      }
      String address = networks.endpoints(child.id()).stream()
          .filter(e -> e.network().isDefault() && e.attached().isPresent())
          .map(e -> e.attached().get().ipAddress()).findFirst().orElse(null);
      if (!child.running() || address == null) {
        throw new BerthException.Conflict("Cannot link to a non running container: /" + child.name() + " AS /"
            + c.name() + "/" + l.alias());
      }
      out.add(new ContainerLinks.Resolved(child, l.alias(), address, exposed(child)));
    }
    return out;
  }

  private Set<String> exposed(Container c) {
    Set<String> ports = new LinkedHashSet<>();
    try {
      ImageConfig.RunConfig rc = images.find(c.imageId()).config().config();
      if (rc != null && rc.exposedPorts() != null) {
        ports.addAll(rc.exposedPorts().keySet());
      }
    } catch (BerthException.NotFound gone) {
      // the image went away: only the container's own
    }
    ports.addAll(c.config().networking().exposedPorts());
    return ports;
  }

  /** The container's interfaces on internal networks (no way out: their gateways are no default route). */
  Set<String> internalInterfaces(String id) {
    if (networks == null) {
      return Set.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (NetworkService.EndpointView v : networks.endpoints(id)) {
      if (v.network().config().internal()) {
        v.attached().ifPresent(a -> names.add(a.ifname()));
      }
    }
    return names;
  }

  /** What a start reads of the container's networks: each network and the settings it was given. */
  List<Object> endpointsBasis(String id) {
    if (networks == null) {
      return List.of();
    }
    return networks.endpoints(id).stream().<Object>map(v -> List.of(v.network().id(), v.settings())).toList();
  }

  void detach(String id) {
    if (networks != null) {
      networks.detach(id);
    }
  }

  void forget(String id) {
    if (networks != null) {
      networks.forget(id);
    }
  }

  void reconcile(Set<String> running) {
    if (networks != null) {
      networks.reconcile(running);
    }
  }

  /** The spec with the network namespace at {@code netns} joined. */
  static Spec joinNetns(Spec s, Path netns) {
    Linux l = s.linux();
    List<Namespace> ns = new ArrayList<>(l.namespaces().stream().filter(n -> !n.type().equals("network")).toList());
    ns.add(new Namespace("network", netns.toString()));
    Linux linux = new Linux(l.uidMappings(), l.gidMappings(), l.sysctl(), l.resources(), l.cgroupsPath(), ns,
        l.devices(), l.seccomp(), l.rootfsPropagation(), l.maskedPaths(), l.readonlyPaths());
    return new Spec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.domainname(), s.mounts(), linux,
        s.annotations());
  }

  /** What --add-host's "host-gateway" stands for: the default bridge's address. */
  Optional<String> hostGateway() {
    if (networks == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(networks.find(dev.berth.engine.network.Network.DEFAULT).config().gateway());
    } catch (BerthException.NotFound none) {
      return Optional.empty();
    }
  }

  /** /etc/hosts names the container by its first address; /etc/resolv.conf points at the network's name server. */
  static void writeEtc(Path dir, ContainerConfig c, List<Attached> addresses, Optional<String> nameserver,
      Optional<String> hostGateway, List<String> linkHosts) throws IOException {
    String ip = addresses.isEmpty() ? "127.0.0.1" : addresses.getFirst().ipAddress();
    Files.writeString(dir.resolve("hosts"), EtcFileContents.hosts(c, c.hostname(), Optional.of(ip), hostGateway,
        linkHosts));
    if (nameserver.isPresent()) {
      List<String> hostResolv = List.of();
      try {
        hostResolv = Files.readAllLines(Path.of("/etc/resolv.conf"));
      } catch (IOException noHostFile) {
        // the name server alone
      }
      Files.writeString(dir.resolve("resolv.conf"), EtcFileContents.resolvConf(c, hostResolv, nameserver, true));
    }
  }
}
