package dev.berth.engine.network;

import java.util.List;

/**
 * The daemon's network settings (daemon.json / flags; dockerd's key names where they exist).
 *
 * @param bridge the default network's bridge ("bridge")
 * @param bip the default bridge's address and prefix, e.g. 10.89.0.1/24 ("bip"); null = the first
 *     free subnet of the pools
 * @param pools where subnets of networks without --subnet come from ("default-address-pools")
 * @param iptablesPrefix the names of Berth's iptables chains start with it, so daemons side by side
 *     keep apart ("iptables-prefix")
 */
public record NetworkDefaults(String bridge, String bip, List<Pool> pools, String iptablesPrefix) {
  /** One address pool: subnets of {@code size} bits carved from {@code base}. */
  public record Pool(String base, int size) {}

  public NetworkDefaults {
    bridge = bridge == null || bridge.isEmpty() ? "berth0" : bridge;
    pools = pools == null || pools.isEmpty() ? List.of(new Pool("10.89.0.0/16", 24)) : List.copyOf(pools);
    iptablesPrefix = iptablesPrefix == null || iptablesPrefix.isEmpty() ? "BERTH" : iptablesPrefix;
    if (bridge.length() > 15) {
      throw new IllegalArgumentException("bridge name " + bridge + " is longer than 15 characters");
    }
    if (iptablesPrefix.length() > 12 || !iptablesPrefix.matches("[A-Za-z0-9_]+")) {
      throw new IllegalArgumentException("iptables-prefix " + iptablesPrefix
          + " must be 1-12 letters, digits or underscores");
    }
    for (Pool p : pools) {
      Cidr base = cidr(p.base(), "default-address-pools");
      if (p.size() < base.prefix() || p.size() > 30) {
        throw new IllegalArgumentException("default-address-pools: size " + p.size() + " must be between "
            + base.prefix() + " and 30 for base " + p.base());
      }
    }
    if (bip != null) {
      cidr(bip, "bip");
    }
  }

  private static Cidr cidr(String text, String key) {
    try {
      return Cidr.parse(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage());
    }
  }

  public static NetworkDefaults defaults() {
    return new NetworkDefaults(null, null, null, null);
  }
}
