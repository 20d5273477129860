package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.microvm.GuestInterface;
import dev.berth.engine.microvm.MicroVmRuntime;
import dev.berth.engine.network.Attached;
import dev.berth.engine.network.NetworkService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The network of a microVM container: attached by CNI exactly as a runc container's (the
 * namespace, eth&lt;n&gt; with the IPAM address, ports, DNS, /etc files), then handed to the
 * microVM runtime as the guest's interfaces. See docs/decisions/0800-microvm-network.md.
 */
public final class VmNetworks {
  private VmNetworks() {}

  /**
   * Waits for a starting microVM container's interfaces (CNI ran while the rootfs was mounted;
   * QEMU needs their MACs before it starts); empty for --network none. A failure leaves the
   * namespace to the caller's detach.
   */
  static Optional<MicroVmRuntime.Network> ready(ContainerNetworks networks, ContainerNetworks.Start start,
      Container c) {
    Optional<NetworkService.Attachment> attachment = start.ready();
    if (start.netns().isEmpty() || attachment.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new MicroVmRuntime.Network(start.netns().get(),
        interfaces(attachment.get().addresses(), networks.internalInterfaces(c.id()))));
  }

  /** The guest's interfaces, first network first; the default route through the first network with a way out. */
  static List<GuestInterface> interfaces(List<Attached> addresses, Set<String> internal) {
    List<GuestInterface> out = new ArrayList<>();
    boolean routed = false;
    for (Attached a : addresses) {
      boolean route = !routed && !internal.contains(a.ifname()) && a.gateway() != null && !a.gateway().isEmpty();
      routed |= route;
      out.add(new GuestInterface(a.ifname(), a.macAddress(), a.ipAddress(), a.prefixLen(),
          route ? Optional.of(a.gateway()) : Optional.empty()));
    }
    return out;
  }

  /** A running microVM's devices are fixed at boot: no network connect/disconnect until it stops. */
  public static void refuseLiveChange(Container c, String verb) {
    if (c.running() && VmIsolation.isVm(c.config())) {
      throw new BerthException.InvalidArgument("cannot " + verb + " container " + c.shortId() + " while it runs: it"
          + " runs with --isolation=vm, whose network devices are fixed when the microVM boots (no hot-plug);"
          + " stop it, " + verb + " it, and start it again");
    }
  }
}
