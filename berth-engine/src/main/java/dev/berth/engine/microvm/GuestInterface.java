package dev.berth.engine.microvm;

import java.util.Optional;

/**
 * One network interface of a microVM container: the CNI interface in the container's network
 * namespace ({@code ifname}, e.g. eth0), the tap QEMU uses beside it, and what the guest sets on
 * its own interface (the CNI result's MAC and address, so the guest is the container on the wire).
 *
 * @param defaultGateway the default route's next hop (only the first non-internal network's)
 */
public record GuestInterface(String ifname, String mac, String address, int prefixLen,
    Optional<String> defaultGateway) {
  public GuestInterface {
    defaultGateway = defaultGateway == null ? Optional.empty() : defaultGateway;
    // These land in a shell script and QEMU's options: nothing but what interface names and addresses use.
    for (String v : new String[] {ifname, mac, address}) {
      if (v == null || !v.matches("[A-Za-z0-9.:_-]+")) {
        throw new IllegalArgumentException("not an interface name, MAC or address: " + v);
      }
    }
    defaultGateway.ifPresent(g -> {
      if (!g.matches("[0-9A-Fa-f.:]+")) {
        throw new IllegalArgumentException("not a gateway address: " + g);
      }
    });
  }

  /** The tap device beside {@code ifname} in the namespace: eth0 → tap0. */
  public String tap() {
    return "tap" + ifname.replaceAll("\\D", "");
  }
}
