package dev.berth.engine.network;

import dev.berth.engine.BerthException;
import dev.berth.engine.filesystem.DirectoryTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IPAM of Berth's networks: which subnet, gateway and range a network gets (from the request,
 * bip or the address pools, never overlapping another network or a host route), whether a
 * fixed {@code --ip} fits, and host-local's lease files under {@code <data-root>/network/ipam}.
 */
final class NetworkAddresses {
  private static final Logger log = LoggerFactory.getLogger(NetworkAddresses.class);

  /** A host-local lease file: the address is held for {@code containerId}'s {@code ifname}. */
  record Lease(Path file, String containerId, String ifname) {}

  private final NetworkDefaults defaults;
  private final Path ipamDir;

  NetworkAddresses(NetworkDefaults defaults, Path ipamDir) {
    this.defaults = defaults;
    this.ipamDir = ipamDir;
  }

  Path ipamDir() {
    return ipamDir;
  }

  /** The default bridge network's config: bip, else the existing one, else a bridge left on the host, else a free subnet. */
  NetworkConfig defaultBridge(Optional<Network> existing) {
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

  /** A new user-defined network's config, its addresses checked against {@code existing} networks. */
  NetworkConfig forCreate(String id, String driver, NetworkService.CreateRequest req, List<Network> existing) {
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
    return new NetworkConfig(driver, subnet.toString(), gateway, ipRange, req.internal(), req.labels(),
        req.options(), "br-" + id.substring(0, 12), true,
        req.subnet() != null && !req.subnet().isEmpty() && (req.gateway() == null || req.gateway().isEmpty()));
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

  /**
   * Whether the endpoint's settings fit the network: aliases and a fixed address only on
   * user-defined networks, the address in its range, not its gateway, and not asked for by a
   * container of {@code members} (id → settings) already.
   */
  static void validate(Network n, EndpointSettings s, Map<String, EndpointSettings> members) {
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
      members.forEach((containerId, other) -> {
        if (s.ipv4Address().equals(other.ipv4Address())) {
          throw new BerthException.Conflict("Address already in use: " + s.ipv4Address() + " is asked for by container "
              + containerId.substring(0, 12));
        }
      });
    }
  }

  /** The lease files of the network whose container is not in {@code running} (berthd died between ADD and its record). */
  List<Lease> orphanLeases(Network n, Set<String> running) {
    Path dir = leaseDir(n);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Lease> orphans = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path lease : files.filter(p -> p.getFileName().toString().matches("[0-9.]+")).toList()) {
        List<String> lines = Files.readAllLines(lease);
        String id = lines.isEmpty() ? "" : lines.getFirst().strip();
        String ifname = lines.size() > 1 ? lines.get(1).strip() : "eth0";
        if (!id.isEmpty() && !running.contains(id)) {
          orphans.add(new Lease(lease, id, ifname));
        }
      }
    } catch (IOException e) {
      log.warn("network {}: cannot read leases in {}: {}", n.name(), dir, e.getMessage());
    }
    return orphans;
  }

  /** Deletes the removed network's lease directory. */
  void deleteLeases(Network n) {
    DirectoryTrees.deleteOrWarn(leaseDir(n), log);
  }

  private Path leaseDir(Network n) {
    return ipamDir.resolve(NetworkCni.cniName(n));
  }
}
