package dev.berth.engine.network;

import dev.berth.engine.events.EventBus;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.state.NetworkTable;
import dev.berth.engine.state.NetworkTable.EndpointRow;
import dev.berth.engine.state.NetworkTable.NetworkRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
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
  private static final Pattern HEX = Pattern.compile("[0-9a-f]+");
  private static final List<String> PLUGINS = List.of("bridge", "host-local");

  private final EngineConfig config;
  private final NetworkTable table;
  private final NetworkDefaults defaults;
  private final CniExecutor cni;
  private final Clock clock;
  private final Iptables iptables;
  private final PortReservations reservations = new PortReservations();
  private final Map<String, NetworkDns> dns = new ConcurrentHashMap<>();
  /** CNI ADDs in flight, by container ID (see {@link #attachAsync}). */
  private final Map<String, CompletableFuture<Attachment>> attaching = new ConcurrentHashMap<>();
  /** Teardowns in flight, by container ID (see {@link #detach}). */
  private final Map<String, Teardown> teardowns = new ConcurrentHashMap<>();
  private final Object networkLock = new Object();
  private volatile String cniVersion;
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
    this.defaults = defaults;
    this.cni = cni;
    this.clock = clock;
    this.iptables = new Iptables(defaults.iptablesPrefix());
  }

  /** Creates the default network's record (its subnet from bip or the pools) when missing. */
  public void open() {
    Optional<NetworkRow> row = table.byName(Network.DEFAULT);
    NetworkConfig wanted = defaultBridgeConfig(row.map(this::toNetwork));
    if (row.isEmpty()) {
      table.insert(new NetworkRow(newId(), Network.DEFAULT, clock.millis(), json(wanted)));
    } else if (!toNetwork(row.get()).config().equals(wanted) && table.endpointsIn(row.get().id()).stream()
        .noneMatch(e -> !e.attachedJson().isEmpty())) {
      table.updateConfig(row.get().id(), json(wanted)); // bip or bridge changed in the daemon's settings
    }
  }

  private NetworkConfig defaultBridgeConfig(Optional<Network> existing) {
    String subnet;
    String gateway;
    Optional<Cidr> left = defaults.bip() == null ? HostRoutes.addressOf(defaults.bridge()) : Optional.empty();
    if (defaults.bip() != null) {
      Cidr bip = Cidr.parse(defaults.bip());
      subnet = bip.network().toString();
      gateway = bip.addressText();
    } else if (existing.isPresent() && existing.get().config().bridge().equals(defaults.bridge())) {
      return existing.get().config();
    } else if (left.isPresent()) {
      // The bridge outlived the berthd that made it (its data-root was removed): keep its address,
      // as dockerd keeps docker0's; CNI's bridge plugin refuses to give a bridge a second one.
      subnet = left.get().network().toString();
      gateway = left.get().addressText();
      log.info("default bridge {} exists with {}: the bridge network uses its subnet {}", defaults.bridge(),
          left.get(), subnet);
    } else {
      Cidr s = freeSubnet(List.of());
      subnet = s.toString();
      gateway = Cidr.format(s.host(1));
    }
    return new NetworkConfig("bridge", subnet, gateway, null, false, Map.of(), Map.of(), defaults.bridge(), false);
  }

  // ---- networks --------------------------------------------------------------------------------

  public List<Network> list() {
    return table.all().stream().map(this::toNetwork).toList();
  }

  /** By full ID, name, or unique ID prefix; 404 otherwise. */
  public Network find(String nameOrId) {
    if (nameOrId == null || nameOrId.isBlank()) {
      throw new BerthException.InvalidArgument("a network name or ID is required");
    }
    Optional<NetworkRow> row = table.byId(nameOrId).or(() -> table.byName(nameOrId));
    if (row.isEmpty() && HEX.matcher(nameOrId).matches()) {
      List<NetworkRow> m = table.byIdPrefix(nameOrId);
      if (m.size() > 1) {
        throw new BerthException.InvalidArgument("network " + nameOrId + " is ambiguous (" + m.size()
            + " matches found based on ID prefix)");
      }
      row = m.stream().findFirst();
    }
    return row.map(this::toNetwork).orElseThrow(() -> new BerthException.NotFound("network " + nameOrId
        + " not found"));
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
      Cidr subnet;
      if (req.subnet() != null && !req.subnet().isEmpty()) {
        subnet = Cidr.parse(req.subnet()).network();
        if (subnet.prefix() > 30) {
          throw new BerthException.InvalidArgument("invalid subnet " + req.subnet() + ": it must hold at least two"
              + " addresses (a prefix of /30 or shorter)");
        }
        for (Network n : existing) {
          if (Cidr.parse(n.config().subnet()).overlaps(subnet)) {
            throw new BerthException.Conflict("invalid pool request: Pool overlaps with other one on this address"
                + " space (" + subnet + " overlaps network " + n.name() + "'s " + n.config().subnet() + ")");
          }
        }
      } else {
        if (req.gateway() != null && !req.gateway().isEmpty() || req.ipRange() != null && !req.ipRange().isEmpty()) {
          throw new BerthException.InvalidArgument("--gateway and --ip-range need --subnet");
        }
        subnet = freeSubnet(existing);
      }
      String gateway = req.gateway() == null || req.gateway().isEmpty() ? Cidr.format(subnet.host(1))
          : Cidr.format(Cidr.parseAddress(req.gateway()));
      if (!subnet.contains(Cidr.parseAddress(gateway))) {
        throw new BerthException.InvalidArgument("invalid --gateway " + gateway + ": it is not in subnet " + subnet);
      }
      String ipRange = null;
      if (req.ipRange() != null && !req.ipRange().isEmpty()) {
        Cidr r = Cidr.parse(req.ipRange()).network();
        if (r.prefix() < subnet.prefix() || !subnet.contains(r.address())) {
          throw new BerthException.InvalidArgument("invalid --ip-range " + req.ipRange() + ": it is not inside subnet "
              + subnet);
        }
        ipRange = r.toString();
      }
      String id = newId();
      NetworkConfig cfg = new NetworkConfig(driver, subnet.toString(), gateway, ipRange, req.internal(), req.labels(),
          req.options(), "br-" + id.substring(0, 12), true,
          req.subnet() != null && !req.subnet().isEmpty() && (req.gateway() == null || req.gateway().isEmpty()));
      if (!table.insert(new NetworkRow(id, name, clock.millis(), json(cfg)))) {
        throw new BerthException.Conflict("network with name " + name + " already exists");
      }
      applyNetworkRules();
      log.info("network {} created ({}, {})", name, id.substring(0, 12), subnet);
      events.network("create", id, name, null);
      return find(id);
    }
  }

  /** The first subnet of the pools that overlaps no network of ours and no route of the host. */
  private Cidr freeSubnet(List<Network> existing) {
    List<Cidr> taken = new ArrayList<>(HostRoutes.read());
    existing.forEach(n -> taken.add(Cidr.parse(n.config().subnet())));
    for (NetworkDefaults.Pool pool : defaults.pools()) {
      Cidr base = Cidr.parse(pool.base()).network();
      long step = 1L << (32 - pool.size());
      for (long off = 0; off < base.size(); off += step) {
        Cidr candidate = new Cidr(base.host(off), pool.size());
        if (taken.stream().noneMatch(candidate::overlaps)) {
          return candidate;
        }
      }
    }
    throw new BerthException.Unavailable("no free subnet left in the address pools " + defaults.pools()
        + "; use --subnet or add default-address-pools");
  }

  public void remove(String nameOrId) {
    Network n = find(nameOrId);
    if (n.isDefault()) {
      throw new BerthException.InvalidArgument("bridge is a pre-defined network and cannot be removed");
    }
    awaitTeardowns("", List.of(n.id())); // containers that just left it still free their leases
    synchronized (networkLock) {
      if (!table.deleteUnlessAttached(n.id())) {
        throw new BerthException.Conflict("error while removing network: network " + n.name() + " id " + n.id()
            + " has active endpoints");
      }
      NetworkDns server = dns.remove(n.id());
      if (server != null) {
        server.close();
      }
      applyNetworkRules();
      deleteBridge(n.config().bridge());
      deleteTree(ipamDir().resolve(cniName(n)));
      log.info("network {} removed", n.name());
      events.network("destroy", n.id(), n.name(), null);
    }
  }

  /** Removes every user-defined network without attached containers that {@code filter} accepts. */
  public List<Network> prune(Predicate<Network> filter) {
    awaitAllTeardowns(); // containers that just ended still read as attached until their teardown starts
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
    if (n.isDefault() && !s.aliases().isEmpty()) {
      throw new BerthException.InvalidArgument("network-scoped aliases are only supported for user-defined networks");
    }
    if (s.ipv4Address() != null) {
      if (n.isDefault()) {
        throw new BerthException.InvalidArgument("user specified IP address is supported on user defined networks only");
      }
      int ip = Cidr.parseAddress(s.ipv4Address());
      Cidr range = Cidr.parse(n.config().ipRange() != null ? n.config().ipRange() : n.config().subnet());
      if (!range.contains(ip) || ip == Cidr.parseAddress(n.config().gateway())) {
        throw new BerthException.InvalidArgument("invalid --ip " + s.ipv4Address() + ": it must be in network "
            + n.name() + "'s range " + range + " and not its gateway");
      }
      for (EndpointRow r : table.endpointsIn(n.id())) {
        EndpointSettings other = read(r.settingsJson(), EndpointSettings.class);
        if (s.ipv4Address().equals(other.ipv4Address())) {
          throw new BerthException.Conflict("Address already in use: " + s.ipv4Address() + " is asked for by container "
              + r.containerId().substring(0, 12));
        }
      }
    }
  }

  /** A container's endpoint on one network, for inspect. */
  public record EndpointView(Network network, EndpointSettings settings, Optional<Attached> attached) {}

  public List<EndpointView> endpoints(String containerId) {
    List<EndpointView> views = new ArrayList<>();
    for (EndpointRow r : table.endpointsOf(containerId)) {
      Optional<Network> n = table.byId(r.networkId()).map(this::toNetwork);
      n.ifPresent(net -> views.add(new EndpointView(net, read(r.settingsJson(), EndpointSettings.class),
          r.attachedJson().isEmpty() ? Optional.empty() : Optional.of(read(r.attachedJson(), Attached.class)))));
    }
    return views;
  }

  /** The host ports a running container publishes (chosen ports filled in). */
  public List<PortBinding> publishedPorts(String containerId) {
    return table.ports(containerId).map(j -> List.of(read(j, PortBinding[].class))).orElse(List.of());
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
    awaitTeardowns(containerId, rows.stream().map(EndpointRow::networkId).toList());
    List<PortBinding> bound = reservePorts(containerId, ports, publishAll, exposed);
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
      reservations.release(containerId);
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
        Network n = toNetwork(table.byId(r.networkId()).orElseThrow(() -> new BerthException.NotFound(
            "network " + r.networkId() + " not found")));
        Attached a = attachOne(containerId, n, read(r.settingsJson(), EndpointSettings.class), "eth" + index++);
        addresses.add(a);
        if (nameserver.isEmpty() && n.config().dns()) {
          nameserver = Optional.of(n.config().gateway());
        }
      }
      publish(containerId, bound, addresses.getFirst());
      log.debug("container {} attached to {} network(s) in {} ms", containerId.substring(0, 12), rows.size(),
          (System.nanoTime() - t0) / 1_000_000);
      return new Attachment(ns, addresses, bound, nameserver);
    } catch (RuntimeException e) {
      try {
        releasePorts(containerId);
        Teardown t = planTeardown(containerId);
        if (t != null) {
          // Here and now, so a failed start leaves nothing behind when it answers; the namespace
          // stays for the caller's detach, as the runtime may be joining it right now.
          tearDown(t, false);
        }
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  private Attached attachOne(String containerId, Network n, EndpointSettings s, String ifname) {
    String args = s.ipv4Address() == null ? "" : "IgnoreUnknown=1;IP=" + s.ipv4Address();
    CniResult result = cni.add(conf(n), new CniExecutor.Invocation(containerId, netnsPath(containerId).toString(),
        ifname, args));
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
    if (n.config().dns()) {
      dns.computeIfAbsent(n.id(), id -> {
        try {
          return NetworkDns.start(n.config().gateway(), name -> resolve(id, name));
        } catch (IOException e) {
          log.warn("network {}: no name server on {}:53: {}", n.name(), n.config().gateway(), e.getMessage());
          return null;
        }
      });
    }
  }

  /** A container's address on the network by its name, an alias or its short ID. */
  Optional<String> resolve(String networkId, String name) {
    String want = name.toLowerCase(Locale.ROOT);
    for (EndpointRow r : table.endpointsIn(networkId)) {
      if (r.attachedJson().isEmpty()) {
        continue;
      }
      EndpointSettings s = read(r.settingsJson(), EndpointSettings.class);
      boolean match = want.equals(lower(s.containerName())) || want.equals(r.containerId().substring(0, 12))
          || s.aliases().stream().anyMatch(a -> want.equals(lower(a)));
      if (match) {
        return Optional.of(read(r.attachedJson(), Attached.class).ipAddress());
      }
    }
    return Optional.empty();
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  /** Holds the host ports (chosen ones filled in); a taken one fails here, before anything else is made. */
  private List<PortBinding> reservePorts(String containerId, List<PortBinding> ports, boolean publishAll,
      Set<String> exposed) {
    List<PortBinding> all = new ArrayList<>(ports);
    if (publishAll) {
      Set<String> have = new LinkedHashSet<>();
      ports.forEach(p -> have.add(p.key()));
      for (String e : exposed) {
        String[] parts = e.split("/");
        PortBinding p = new PortBinding(parts.length > 1 ? parts[1] : "tcp", Integer.parseInt(parts[0]), "", 0);
        if (have.add(p.key())) {
          all.add(p);
        }
      }
    }
    return all.isEmpty() ? List.of() : reservations.reserve(containerId, all);
  }

  /** The held ports' DNAT rules to the container's first address. */
  private void publish(String containerId, List<PortBinding> bound, Attached first) {
    if (!bound.isEmpty()) {
      table.putPorts(containerId, json(bound));
      iptables.addPorts(containerId, bound, first.ipAddress());
    }
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
    releasePorts(containerId);
    Teardown t = planTeardown(containerId);
    if (t != null) {
      Thread.ofVirtual().name("net-teardown-" + t.containerId().substring(0, Math.min(12, t.containerId().length())))
          .start(() -> tearDown(t, true));
    }
  }

  private void releasePorts(String containerId) {
    reservations.release(containerId);
    if (table.ports(containerId).isPresent()) {
      try {
        iptables.removeTagged(iptables.containerTag(containerId));
        table.deletePorts(containerId);
      } catch (RuntimeException e) {
        log.warn("container {}: cannot remove its port rules: {}", containerId.substring(0, 12), e.getMessage());
      }
    }
  }

  /**
   * What the container's teardown must free, registered; null when nothing is held or a
   * teardown of it is already under way (it frees everything attached when it was planned, and
   * no attach happens meanwhile: attach waits for it). Only reads: the exit path waits for it.
   */
  private Teardown planTeardown(String containerId) {
    synchronized (teardowns) {
      if (teardowns.containsKey(containerId)) {
        return null;
      }
      Path ns = netnsPath(containerId);
      boolean nsExists = Files.exists(ns);
      List<Teardown.Endpoint> endpoints = new ArrayList<>();
      int index = 0;
      for (EndpointRow r : table.endpointsOf(containerId)) {
        Attached a = r.attachedJson().isEmpty() ? null : read(r.attachedJson(), Attached.class);
        String ifname = a == null ? "eth" + index : a.ifname();
        index++;
        if (a == null && !nsExists) {
          continue; // never attached: nothing to free
        }
        Optional<Network> n = table.byId(r.networkId()).map(this::toNetwork);
        n.ifPresent(net -> endpoints.add(new Teardown.Endpoint(net, ifname, a != null, a == null ? null : resultOf(a))));
      }
      if (endpoints.isEmpty() && !nsExists) {
        return null;
      }
      Teardown t = new Teardown(containerId, ns, nsExists, List.copyOf(endpoints), new CompletableFuture<>());
      teardowns.put(containerId, t);
      return t;
    }
  }

  /**
   * The endpoints read as detached (first: the container has ended), then CNI DEL per endpoint
   * (frees the lease, deletes the veth), then the namespace if asked. A crash in between leaves the
   * namespace file and the lease files, which {@link #reconcile} frees.
   */
  private void tearDown(Teardown t, boolean removeNamespace) {
    long t0 = System.nanoTime();
    String id12 = t.containerId().substring(0, Math.min(12, t.containerId().length()));
    try {
      for (Teardown.Endpoint e : t.endpoints()) {
        if (e.recorded()) {
          table.setAttached(t.containerId(), e.network().id(), ""); // no-op once the container's rows are gone
        }
      }
      for (Teardown.Endpoint e : t.endpoints()) {
        try {
          cni.del(conf(e.network()), new CniExecutor.Invocation(t.containerId(),
              t.netnsExists() ? t.netns().toString() : "", e.ifname(), ""), e.added());
        } catch (RuntimeException ex) {
          log.warn("container {}: CNI DEL on network {} failed: {}", id12, e.network().name(), ex.getMessage());
        }
      }
      if (t.netnsExists() && removeNamespace) {
        try {
          Netns.remove(t.netns());
        } catch (RuntimeException ex) {
          log.warn("container {}: {}", id12, ex.getMessage());
        }
      }
      log.debug("container {} detached in {} ms", id12, (System.nanoTime() - t0) / 1_000_000);
    } finally {
      teardowns.remove(t.containerId(), t);
      t.done().complete(null);
    }
  }

  /** Waits for the teardowns of {@code containerId} and of any container that was on one of {@code networkIds}. */
  private void awaitTeardowns(String containerId, Collection<String> networkIds) {
    for (Teardown t : List.copyOf(teardowns.values())) {
      if (t.holds(containerId, networkIds)) {
        t.done().join();
      }
    }
  }

  private void awaitAllTeardowns() {
    List.copyOf(teardowns.values()).forEach(t -> t.done().join());
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
    table.putEndpoint(new EndpointRow(containerId, n.id(), json(s.named(containerName)), ""));
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
    awaitTeardowns(containerId, List.of()); // a container that just ended: its own DEL first
    Network n = find(network);
    EndpointRow r = table.endpointsOf(containerId).stream().filter(e -> e.networkId().equals(n.id())).findFirst()
        .orElseThrow(() -> new BerthException.InvalidArgument("container " + containerId.substring(0, 12)
            + " is not connected to network " + n.name()));
    if (!r.attachedJson().isEmpty()) {
      Attached a = read(r.attachedJson(), Attached.class);
      Path ns = netnsPath(containerId);
      try {
        cni.del(conf(n), new CniExecutor.Invocation(containerId, Files.exists(ns) ? ns.toString() : "", a.ifname(), ""),
            resultOf(a));
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
    awaitAllTeardowns(); // before the orphan leases: a teardown may be freeing one of them
    releaseOrphanLeases(running);
    String nat = null;
    for (String id : running) {
      for (EndpointRow r : table.endpointsOf(id)) {
        if (!r.attachedJson().isEmpty()) {
          table.byId(r.networkId()).map(this::toNetwork).ifPresent(n -> {
            check(id, n, read(r.attachedJson(), Attached.class));
            bridgeReady(n);
          });
        }
      }
      List<PortBinding> ports = publishedPorts(id);
      if (!ports.isEmpty()) {
        try {
          reservations.reserve(id, ports);
          if (nat == null) {
            nat = Iptables.save("nat");
          }
          if (!nat.contains(iptables.containerTag(id))) { // rules flushed meanwhile: put them back
            Optional<Attached> first = endpoints(id).stream().flatMap(e -> e.attached().stream()).findFirst();
            if (first.isPresent()) {
              iptables.addPorts(id, ports, first.get().ipAddress());
            }
          }
        } catch (RuntimeException e) {
          log.warn("container {}: {}", id.substring(0, 12), e.getMessage());
        }
      }
    }
  }

  private static CniResult resultOf(Attached a) {
    return a.result() == null ? null : read(a.result(), CniResult.class);
  }

  /** CNI CHECK of a running container's attachment (after a crash of berthd): a broken one is logged. */
  private void check(String containerId, Network n, Attached a) {
    if (a.result() == null) {
      return;
    }
    try {
      cni.check(conf(n), new CniExecutor.Invocation(containerId, netnsPath(containerId).toString(), a.ifname(), ""),
          resultOf(a));
    } catch (RuntimeException e) {
      log.warn("container {}: its interface {} on network {} is not as CNI set it up: {}",
          containerId.substring(0, 12), a.ifname(), n.name(), e.getMessage());
    }
  }

  /** host-local leases whose container is not running (berthd died between ADD and its record). */
  private void releaseOrphanLeases(Set<String> running) {
    for (Network n : list()) {
      Path dir = ipamDir().resolve(cniName(n));
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (var files = Files.list(dir)) {
        for (Path lease : files.filter(p -> p.getFileName().toString().matches("[0-9.]+")).toList()) {
          List<String> lines = Files.readAllLines(lease);
          String id = lines.isEmpty() ? "" : lines.getFirst().strip();
          String ifname = lines.size() > 1 ? lines.get(1).strip() : "eth0";
          if (!id.isEmpty() && !running.contains(id)) {
            try {
              cni.del(conf(n), new CniExecutor.Invocation(id, "", ifname, ""), null);
            } catch (CniException e) {
              log.warn("network {}: cannot release lease {}: {}", n.name(), lease.getFileName(), e.getMessage());
            }
          }
        }
      } catch (IOException e) {
        log.warn("network {}: cannot read leases in {}: {}", n.name(), dir, e.getMessage());
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
    awaitAllTeardowns();
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
    awaitAllTeardowns(); // a clean shutdown leaves no namespace, veth or lease behind
    dns.values().forEach(NetworkDns::close);
    dns.clear();
    reservations.releaseAll();
  }

  // ---- CNI configs ------------------------------------------------------------------------------------

  private String version() {
    String v = cniVersion;
    if (v == null) {
      v = cni.negotiate(PLUGINS);
      cniVersion = v;
    }
    return v;
  }

  ObjectNode conf(Network n) {
    return CniConfigs.bridge(cniName(n), version(), n.config(), ipamDir());
  }

  static String cniName(Network n) {
    return "berth-" + n.id().substring(0, 12);
  }

  private Path ipamDir() {
    return config.dataRoot().resolve("network").resolve("ipam");
  }

  private static void deleteBridge(String bridge) {
    if (Files.exists(Path.of("/sys/class/net", bridge))) {
      HostCommand.Result r = HostCommand.run(List.of("ip", "link", "delete", bridge, "type", "bridge"), "");
      if (r.exitCode() != 0) {
        log.warn("cannot delete bridge {}: {}", bridge, r.stderr());
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", dir, e.getMessage());
    }
  }

  private Network toNetwork(NetworkRow r) {
    return new Network(r.id(), r.name(), Instant.ofEpochMilli(r.created()), read(r.configJson(), NetworkConfig.class));
  }

  private static String json(Object o) {
    try {
      return CniResult.JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T read(String json, Class<T> type) {
    try {
      return CniResult.JSON.readValue(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String newId() {
    byte[] b = new byte[32];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
