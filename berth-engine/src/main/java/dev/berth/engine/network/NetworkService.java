package dev.berth.engine.network;

import static dev.berth.engine.network.NetworkRecords.json;
import static dev.berth.engine.network.NetworkRecords.newId;

import dev.berth.engine.events.EventBus;
import dev.berth.engine.BerthException;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.state.NetworkTable;
import dev.berth.engine.state.NetworkTable.EndpointRow;
import dev.berth.engine.state.NetworkTable.NetworkRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Networks and the containers on them. A container on a bridge network gets a network
 * namespace made by Berth ({@code <exec-root>/netns/<id>}, joined by runc), loopback up, and
 * one interface per network from the CNI bridge plugin with host-local IPAM (leases under
 * {@code <data-root>/network/ipam}, so they survive a crash). Published ports are DNAT rules in
 * Berth's own iptables chains plus host sockets that hold the ports. User-defined networks get
 * a name server on their gateway.
 *
 * <p>Everything a container holds (namespace, CNI attachments, rules, ports) is released by
 * {@link #detach}, at its exit; {@link #reconcile} does it at start for containers that ended
 * while berthd was down.
 *
 * <p>Neither CNI ADD nor DEL sits on the path of a short {@code run}: ADD runs beside the
 * runtime's create ({@link #attachAsync}; the process starts after it), DEL after the exit is
 * recorded ({@link Teardown}). What a teardown still holds is on disk (the namespace file, the
 * lease files), so a crash before it ends is made good by {@link #reconcile}; and every step
 * that could meet it waits for it: a new attach to the same network (no lease is reused before
 * it is freed, a fixed {@code --ip} is free again), {@code network rm}, and berthd's shutdown.
 */
public final class NetworkService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NetworkService.class);
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

  private final EngineConfig config;
  private final NetworkTable table;
  private final NetworkRecords records;
  private final NetworkDefaults defaults;
  private final NetworkAddresses addresses;
  private final NetworkCni cni;
  private final NetworkNameServers dns;
  private final NetworkTeardowns teardowns;
  private final PublishedPorts ports;
  private final Clock clock;
  private final Iptables iptables;
  /** CNI ADDs in flight, by container ID (see {@link #attachAsync}). */
  private final Map<String, CompletableFuture<Attachment>> attaching = new ConcurrentHashMap<>();
  private final Object networkLock = new Object();
  private final EventBus events;
  /** Berth's chains exist; made at the first need, so a daemon that never networks adds none. */
  private volatile boolean chainsReady;

  private volatile java.util.function.Supplier<Set<String>> alsoRunning = Set::of;

  /** Other running members than containers (VMs on networks): {@link #reconcile} keeps their namespaces too. */
  public void alsoRunning(java.util.function.Supplier<Set<String>> members) {
    this.alsoRunning = members;
  }

  public NetworkService(EngineConfig config, NetworkTable table, NetworkDefaults defaults, CniExecutor cni,
      Clock clock, EventBus events) {
    this.events = events;
    this.config = config;
    this.table = table;
    this.records = new NetworkRecords(table);
    this.defaults = defaults;
    Path ipamDir = config.dataRoot().resolve("network").resolve("ipam");
    this.addresses = new NetworkAddresses(defaults, ipamDir);
    this.cni = new NetworkCni(cni, ipamDir);
    this.dns = new NetworkNameServers(table);
    this.teardowns = new NetworkTeardowns(table, this.cni, this::netnsPath);
    this.clock = clock;
    this.iptables = new Iptables(defaults.iptablesPrefix());
    this.ports = new PublishedPorts(table, iptables);
  }

  /** Creates the default network's record (its subnet from bip or the pools) when missing. */
  public void open() {
    Optional<NetworkRow> row = table.byName(Network.DEFAULT);
    NetworkConfig wanted = addresses.defaultBridge(row.map(NetworkRecords::toNetwork));
    if (row.isEmpty()) {
      table.insert(new NetworkRow(newId(), Network.DEFAULT, clock.millis(), json(wanted)));
    } else if (!NetworkRecords.toNetwork(row.get()).config().equals(wanted) && table.endpointsIn(row.get().id()).stream()
        .noneMatch(e -> !e.attachedJson().isEmpty())) {
      table.updateConfig(row.get().id(), json(wanted)); // bip or bridge changed in the daemon's settings
    }
  }

  // ---- networks --------------------------------------------------------------------------------

  public List<Network> list() {
    return records.all();
  }

  /** By full ID, name, or unique ID prefix; 404 otherwise. */
  public Network find(String nameOrId) {
    return records.find(nameOrId);
  }

  /** What {@code network create} asks for; null fields take defaults. */
  public record CreateRequest(String driver, String subnet, String gateway, String ipRange, boolean internal,
      Map<String, String> labels, Map<String, String> options) {}

  public Network create(String name, CreateRequest req) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new BerthException.InvalidArgument("invalid network name \"" + name
          + "\": use letters, digits, '_', '.' and '-', starting with a letter or digit");
    }
    if (List.of("none", "host", "default").contains(name) || name.equals(Network.DEFAULT)) {
      throw new BerthException.Conflict("network with name " + name + " already exists (a predefined network)");
    }
    String driver = req.driver() == null || req.driver().isEmpty() ? "bridge" : req.driver();
    if (!driver.equals("bridge")) {
      // dockerd's status and words (it looks for a plugin); Berth has the bridge driver only
      throw new BerthException.NotFound("plugin \"" + driver + "\" not found");
    }
    synchronized (networkLock) {
      List<Network> existing = list();
      if (existing.stream().anyMatch(n -> n.name().equals(name))) {
        throw new BerthException.Conflict("network with name " + name + " already exists");
      }
      String id = newId();
      NetworkConfig cfg = addresses.forCreate(id, driver, req, existing);
      if (!table.insert(new NetworkRow(id, name, clock.millis(), json(cfg)))) {
        throw new BerthException.Conflict("network with name " + name + " already exists");
      }
      applyNetworkRules();
      log.info("network {} created ({}, {})", name, id.substring(0, 12), cfg.subnet());
      events.network("create", id, name, null);
      return find(id);
    }
  }

  public void remove(String nameOrId) {
    Network n = find(nameOrId);
    if (n.isDefault()) {
      throw new BerthException.InvalidArgument("bridge is a pre-defined network and cannot be removed");
    }
    teardowns.await("", List.of(n.id())); // containers that just left it still free their leases
    synchronized (networkLock) {
      if (!table.deleteUnlessAttached(n.id())) {
        throw new BerthException.Conflict("error while removing network: network " + n.name() + " id " + n.id()
            + " has active endpoints");
      }
      dns.stop(n.id());
      applyNetworkRules();
      deleteBridge(n.config().bridge());
      addresses.deleteLeases(n);
      log.info("network {} removed", n.name());
      events.network("destroy", n.id(), n.name(), null);
    }
  }

  /** Removes every user-defined network without attached containers that {@code filter} accepts. */
  public List<Network> prune(Predicate<Network> filter) {
    teardowns.awaitAll(); // containers that just ended still read as attached until their teardown starts
    List<Network> gone = new ArrayList<>();
    for (Network n : list()) {
      if (!n.isDefault() && filter.test(n) && table.endpointsIn(n.id()).stream().allMatch(e -> e.attachedJson().isEmpty())) {
        try {
          remove(n.id());
          gone.add(n);
        } catch (BerthException.Conflict inUse) {
          // a container attached meanwhile
        }
      }
    }
    return gone;
  }

  // ---- memberships -------------------------------------------------------------------------------

  /** Whether {@code mode} puts a container on a CNI network (bridge or a network's name/ID). */
  public static boolean isNetworkMode(String mode) {
    return !mode.equals("none") && !mode.equals("host") && !mode.startsWith("container:");
  }

  /**
   * Records a new container's networks: {@code mode}'s network first, then the others of
   * {@code endpoints} (keyed by network name or ID), as create's EndpointsConfig. Validates all.
   */
  public void join(String containerId, String containerName, String mode, Map<String, EndpointSettings> endpoints) {
    Map<String, EndpointSettings> wanted = new LinkedHashMap<>();
    Map<String, EndpointSettings> byNetwork = new LinkedHashMap<>();
    Network first = find(mode);
    wanted.put(first.id(), endpoints.getOrDefault(mode, endpoints.getOrDefault(first.name(),
        endpoints.getOrDefault(first.id(), endpoints.getOrDefault("default", EndpointSettings.of(List.of(), null))))));
    endpoints.forEach((k, v) -> {
      Network n = find(k.equals("default") ? Network.DEFAULT : k); // the docker CLI's name for the mode's network
      if (!n.id().equals(first.id())) {
        wanted.put(n.id(), v);
      }
    });
    for (var e : wanted.entrySet()) {
      Network n = find(e.getKey());
      validate(n, e.getValue());
      byNetwork.put(n.id(), e.getValue().named(containerName));
    }
    byNetwork.forEach((nid, s) -> table.putEndpoint(new EndpointRow(containerId, nid, json(s), "")));
  }

  private void validate(Network n, EndpointSettings s) {
    Map<String, EndpointSettings> members = new LinkedHashMap<>();
    if (s.ipv4Address() != null) {
      table.endpointsIn(n.id()).forEach(r -> members.put(r.containerId(), NetworkRecords.settings(r)));
    }
    NetworkAddresses.validate(n, s, members);
  }

  /** A container's endpoint on one network, for inspect. */
  public record EndpointView(Network network, EndpointSettings settings, Optional<Attached> attached) {}

  public List<EndpointView> endpoints(String containerId) {
    List<EndpointView> views = new ArrayList<>();
    for (EndpointRow r : table.endpointsOf(containerId)) {
      records.byId(r.networkId()).ifPresent(net -> views.add(new EndpointView(net, NetworkRecords.settings(r),
          NetworkRecords.attached(r))));
    }
    return views;
  }

  /** The host ports a running container publishes (chosen ports filled in). */
  public List<PortBinding> publishedPorts(String containerId) {
    return ports.of(containerId);
  }

  /** IDs of the containers that are members of the network (attached or not). */
  public List<String> containersOn(String networkId) {
    return table.endpointsIn(networkId).stream().map(EndpointRow::containerId).toList();
  }

  public Path netnsPath(String containerId) {
    return config.execRoot().resolve("netns").resolve(containerId);
  }

  /** Drops the container's memberships (it is being removed), detaching it first. */
  public void forget(String containerId) {
    detach(containerId);
    table.deleteEndpoints(containerId);
  }

  // ---- attach, detach ----------------------------------------------------------------------------

  /** What a started container got: its namespace, addresses (first network first), ports, name server. */
  public record Attachment(Path netns, List<Attached> addresses, List<PortBinding> ports, Optional<String> nameserver) {}

  /** A starting container's namespace (for the spec at once) and its CNI ADDs, still running. */
  public record PendingAttachment(Path netns, CompletableFuture<Attachment> result) {
    /**
     * The attachment once every ADD is done. On failure all but the namespace was undone (the
     * runtime may be joining it): the caller's {@link #detach} removes it.
     */
    public Attachment await() {
      try {
        return result.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof CniException c ? c.asBerth()
            : e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
  }

  /**
   * Gives a starting container its namespace (loopback up) now, and its networks and published
   * ports in the background: the runtime can create the container meanwhile, as the namespace's
   * path is all the spec needs; the process must not start before {@link PendingAttachment#await}.
   * All or nothing (on failure everything done so far is undone).
   *
   * @param exposed "80/tcp" keys of the image's and container's exposed ports, for publishAll
   */
  public PendingAttachment attachAsync(String containerId, List<PortBinding> ports, boolean publishAll,
      Set<String> exposed) {
    return attachAsync(containerId, ports, publishAll, exposed, Optional.empty());
  }

  /**
   * As above; with {@code existing}, the container's namespace file is a bind of that namespace
   * (a remapped container's, made inside its user namespace: decision 2000) instead of a new one.
   */
  public PendingAttachment attachAsync(String containerId, List<PortBinding> ports, boolean publishAll,
      Set<String> exposed, Optional<Path> existing) {
    Path ns = netnsPath(containerId);
    List<EndpointRow> rows = table.endpointsOf(containerId);
    if (rows.isEmpty()) {
      throw new BerthException.NotFound("container " + containerId.substring(0, 12) + " is on no network (its"
          + " network was removed); connect it to one with 'berth network connect NETWORK CONTAINER'");
    }
    // The last run's namespace must be gone, and leases just given back free again (--ip, small ranges).
    teardowns.await(containerId, rows.stream().map(EndpointRow::networkId).toList());
    List<PortBinding> bound = this.ports.reserve(containerId, ports, publishAll, exposed);
    try {
      if (!chainsReady) {
        applyNetworkRules();
      }
      long t0 = System.nanoTime();
      if (existing.isPresent()) {
        Netns.bind(ns, existing.get());
      } else {
        Netns.create(ns);
      }
      log.debug("container {}: namespace made in {} us", containerId.substring(0, 12), (System.nanoTime() - t0) / 1000);
    } catch (RuntimeException e) {
      this.ports.unreserve(containerId);
      throw e;
    }
    CompletableFuture<Attachment> result = new CompletableFuture<>();
    attaching.put(containerId, result);
    Thread.ofVirtual().name("net-attach-" + containerId.substring(0, 12)).start(() -> {
      try {
        result.complete(attachAll(containerId, ns, rows, bound));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      } finally {
        attaching.remove(containerId, result);
      }
    });
    return new PendingAttachment(ns, result);
  }

  private Attachment attachAll(String containerId, Path ns, List<EndpointRow> rows, List<PortBinding> bound) {
    long t0 = System.nanoTime();
    try {
      List<Attached> addresses = new ArrayList<>();
      Optional<String> nameserver = Optional.empty();
      int index = 0;
      for (EndpointRow r : rows) {
        Network n = records.byId(r.networkId()).orElseThrow(() -> new BerthException.NotFound(
            "network " + r.networkId() + " not found"));
        Attached a = attachOne(containerId, n, NetworkRecords.settings(r), "eth" + index++);
        addresses.add(a);
        if (nameserver.isEmpty() && n.config().dns()) {
          nameserver = Optional.of(n.config().gateway());
        }
      }
      ports.publish(containerId, bound, addresses.getFirst());
      log.debug("container {} attached to {} network(s) in {} ms", containerId.substring(0, 12), rows.size(),
          (System.nanoTime() - t0) / 1_000_000);
      return new Attachment(ns, addresses, bound, nameserver);
    } catch (RuntimeException e) {
      try {
        ports.release(containerId);
        Teardown t = teardowns.plan(containerId);
        if (t != null) {
          // Here and now, so a failed start leaves nothing behind when it answers; the namespace
          // stays for the caller's detach, as the runtime may be joining it right now.
          teardowns.run(t, false);
        }
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  private Attached attachOne(String containerId, Network n, EndpointSettings s, String ifname) {
    String args = s.ipv4Address() == null ? "" : "IgnoreUnknown=1;IP=" + s.ipv4Address();
    CniResult result = cni.add(n, containerId, netnsPath(containerId).toString(), ifname, args);
    Attached a = result.attached(ifname).orElseThrow(() -> new BerthException("CNI gave container "
        + containerId.substring(0, 12) + " no IPv4 address on network " + n.name())).withResult(json(result));
    table.setAttached(containerId, n.id(), json(a));
    bridgeReady(n);
    return a;
  }

  /** Once the bridge exists: loopback-sourced traffic may be routed into it; the name server runs. */
  private void bridgeReady(Network n) {
    try {
      Path localnet = Path.of("/proc/sys/net/ipv4/conf", n.config().bridge(), "route_localnet");
      if (!Files.readString(localnet).strip().equals("1")) {
        Files.writeString(localnet, "1");
      }
    } catch (IOException e) {
      log.warn("network {}: cannot set route_localnet on {}: {} (ports on 127.0.0.1 will not work)", n.name(),
          n.config().bridge(), e.getMessage());
    }
    dns.ensure(n);
  }

  /**
   * Releases what the container holds: ports and their rules at once (the next container may
   * want them), then CNI attachments (DEL, which frees the leases and veths) and the namespace in
   * the background ({@link Teardown}); its endpoints read as detached as soon as that starts.
   * Safe to repeat; errors are logged, and the rest is still done.
   */
  public void detach(String containerId) {
    CompletableFuture<Attachment> adding = attaching.get(containerId);
    if (adding != null) {
      adding.exceptionally(e -> null).join(); // an ADD in flight ends (or undoes itself) first
    }
    ports.release(containerId);
    Teardown t = teardowns.plan(containerId);
    if (t != null) {
      teardowns.runInBackground(t);
    }
  }

  /** Connects a container to one more network (live when it runs). */
  public Optional<Attached> connect(String containerId, String containerName, String network, EndpointSettings s,
      boolean running) {
    Network n = find(network);
    if (table.endpointsOf(containerId).stream().anyMatch(r -> r.networkId().equals(n.id()))) {
      throw new BerthException.Conflict("endpoint with name " + containerName + " already exists in network "
          + n.name());
    }
    if (running && !Files.exists(netnsPath(containerId))) {
      throw new BerthException.InvalidArgument("container " + containerName + " has no network of its own"
          + " (--network none, host or container:…); it cannot be connected");
    }
    validate(n, s);
    table.putEndpoint(new EndpointRow(containerId, n.id(), NetworkRecords.json(s.named(containerName)), ""));
    if (!running) {
      events.network("connect", n.id(), n.name(), containerId);
      return Optional.empty();
    }
    int index = table.endpointsOf(containerId).size() - 1;
    try {
      Optional<Attached> attached = Optional.of(attachOne(containerId, n, s, "eth" + index));
      events.network("connect", n.id(), n.name(), containerId);
      return attached;
    } catch (RuntimeException e) {
      table.deleteEndpoint(containerId, n.id());
      throw e instanceof CniException c ? c.asBerth() : e;
    }
  }

  public void disconnect(String containerId, String network) {
    teardowns.await(containerId, List.of()); // a container that just ended: its own DEL first
    Network n = find(network);
    EndpointRow r = table.endpointsOf(containerId).stream().filter(e -> e.networkId().equals(n.id())).findFirst()
        .orElseThrow(() -> new BerthException.InvalidArgument("container " + containerId.substring(0, 12)
            + " is not connected to network " + n.name()));
    Optional<Attached> attached = NetworkRecords.attached(r);
    if (attached.isPresent()) {
      Attached a = attached.get();
      Path ns = netnsPath(containerId);
      try {
        cni.del(n, containerId, Files.exists(ns) ? ns.toString() : "", a.ifname(), NetworkCni.resultOf(a));
      } catch (CniException e) {
        throw e.asBerth();
      }
    }
    table.deleteEndpoint(containerId, n.id());
    events.network("disconnect", n.id(), n.name(), containerId);
  }

  // ---- reconcile ------------------------------------------------------------------------------------

  /**
   * At start: chains and rules in place; whatever containers that ended while berthd was down
   * held is released (namespaces, attachments, leases, rules); running ones get their name
   * servers and host ports back.
   */
  public void reconcile(Set<String> runningContainers) {
    Set<String> running = new LinkedHashSet<>(runningContainers);
    running.addAll(alsoRunning.get());
    if (list().size() > 1 || table.allEndpoints().stream().anyMatch(e -> !e.attachedJson().isEmpty())) {
      applyNetworkRules(); // a daemon that never networked leaves the host's iptables alone
    }
    Set<String> stale = new LinkedHashSet<>();
    for (EndpointRow r : table.allEndpoints()) {
      if (!running.contains(r.containerId()) && !r.attachedJson().isEmpty()) {
        stale.add(r.containerId());
      }
    }
    table.containersWithPorts().stream().filter(id -> !running.contains(id)).forEach(stale::add);
    try (var files = Files.list(config.execRoot().resolve("netns"))) {
      files.map(p -> p.getFileName().toString()).filter(id -> !running.contains(id)).forEach(stale::add);
    } catch (IOException noDir) {
      // no namespaces yet
    }
    for (String id : stale) {
      log.info("container {} ended while berthd was down: releasing its network", id.substring(0, Math.min(12, id.length())));
      detach(id);
    }
    teardowns.awaitAll(); // before the orphan leases: a teardown may be freeing one of them
    releaseOrphanLeases(running);
    String nat = null;
    for (String id : running) {
      for (EndpointRow r : table.endpointsOf(id)) {
        NetworkRecords.attached(r).ifPresent(a -> records.byId(r.networkId()).ifPresent(n -> {
          check(id, n, a);
          bridgeReady(n);
        }));
      }
      nat = ports.restore(id, () -> endpoints(id).stream().flatMap(e -> e.attached().stream()).findFirst(), nat);
    }
  }

  /** CNI CHECK of a running container's attachment (after a crash of berthd): a broken one is logged. */
  private void check(String containerId, Network n, Attached a) {
    if (a.result() == null) {
      return;
    }
    try {
      cni.check(n, containerId, netnsPath(containerId).toString(), a.ifname(), NetworkCni.resultOf(a));
    } catch (RuntimeException e) {
      log.warn("container {}: its interface {} on network {} is not as CNI set it up: {}",
          containerId.substring(0, 12), a.ifname(), n.name(), e.getMessage());
    }
  }

  /** host-local leases whose container is not running (berthd died between ADD and its record). */
  private void releaseOrphanLeases(Set<String> running) {
    for (Network n : list()) {
      for (NetworkAddresses.Lease lease : addresses.orphanLeases(n, running)) {
        try {
          cni.del(n, lease.containerId(), "", lease.ifname(), null);
        } catch (CniException e) {
          log.warn("network {}: cannot release lease {}: {}", n.name(), lease.file().getFileName(), e.getMessage());
        }
      }
    }
  }

  /** Rules of all networks (loopback masquerade, isolation, internal), rewritten as a whole. */
  private void applyNetworkRules() {
    synchronized (networkLock) { // two first starts at once must not both add the chains' jumps
      applyNetworkRulesLocked();
    }
  }

  private void applyNetworkRulesLocked() {
    try {
      if (!chainsReady) {
        iptables.ensureChains();
        chainsReady = true;
      }
      iptables.setNetworkRules(list());
    } catch (RuntimeException e) {
      log.warn("cannot write network rules to {}-*: {}", defaults.iptablesPrefix(), e.getMessage());
    }
  }

  /**
   * Removes Berth's chains and the default bridge when no container is attached anywhere (tests
   * call it through {@code berthd}'s shutdown only when asked; see {@link #close}).
   */
  public void cleanUpHost() {
    teardowns.awaitAll();
    if (table.allEndpoints().stream().allMatch(e -> e.attachedJson().isEmpty())) {
      for (Network n : list()) {
        deleteBridge(n.config().bridge());
      }
      iptables.removeChains();
    }
  }

  @Override
  public void close() {
    attaching.values().forEach(f -> f.exceptionally(e -> null).join());
    teardowns.awaitAll(); // a clean shutdown leaves no namespace, veth or lease behind
    dns.close();
    ports.close();
  }

  private static void deleteBridge(String bridge) {
    if (Files.exists(Path.of("/sys/class/net", bridge))) {
      HostCommand.Result r = HostCommand.run(List.of("ip", "link", "delete", bridge, "type", "bridge"), "");
      if (r.exitCode() != 0) {
        log.warn("cannot delete bridge {}: {}", bridge, r.stderr());
      }
    }
  }
}
