package dev.berth.engine.vm;

import dev.berth.engine.BerthException;
import dev.berth.engine.microvm.GuestInterface;
import dev.berth.engine.microvm.GuestNetwork;
import dev.berth.engine.network.Attached;
import dev.berth.engine.network.EndpointSettings;
import dev.berth.engine.network.NetworkService;
import dev.berth.engine.network.PortBinding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A VM on Berth's networks, wired as a microVM container is (docs/decisions/0800): CNI makes a
 * network namespace with eth&lt;n&gt; on each network's bridge and its IPAM address, a tap beside
 * each interface takes every frame by tc redirect, and QEMU runs in the namespace with a
 * virtio-net device carrying eth&lt;n&gt;'s MAC. What a VM needs beyond that is to learn its
 * address: a dnsmasq in the namespace, bound to the taps, hands it out by DHCP (DHCP requests
 * are the one kind of frame the tap does not redirect). Names on the network, published ports
 * and leases are the network service's, keyed by the VM's ID as a container's are.
 */
final class VmNetworking {
  private static final Logger log = LoggerFactory.getLogger(VmNetworking.class);
  private static final String DNSMASQ = "/usr/sbin/dnsmasq";

  /** The namespace and the guest's interfaces (first network first) of a starting VM. */
  record Wired(Path netns, List<GuestInterface> interfaces) {}

  private final NetworkService networks;

  VmNetworking(NetworkService networks) {
    this.networks = networks;
  }

  /** At create: the VM becomes a member of each network (validated), under its name. */
  void join(String vmId, String vmName, List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    if (!Files.isExecutable(Path.of(DNSMASQ))) {
      throw new BerthException.Unavailable("VMs on networks get their address by DHCP from dnsmasq, which is not "
          + "installed: apt-get install dnsmasq-base");
    }
    Map<String, EndpointSettings> endpoints = new LinkedHashMap<>();
    for (String n : names) {
      if (!NetworkService.isNetworkMode(n)) {
        throw new BerthException.InvalidArgument("invalid --network " + n + " for a VM: name a Berth network");
      }
      if (endpoints.put(n, EndpointSettings.of(List.of(), null)) != null) {
        throw new BerthException.InvalidArgument("--network " + n + " is given twice");
      }
    }
    networks.join(vmId, vmName, names.getFirst(), endpoints);
  }

  /**
   * At start: the namespace, CNI's interfaces, taps, redirects and the DHCP server; published
   * ports as DNAT to the first address. All or nothing: on failure everything is undone.
   */
  Wired attach(Vm vm) {
    List<PortBinding> ports = vm.config().ports().stream()
        .map(p -> new PortBinding("tcp", p.guestPort(), "127.0.0.1", p.hostPort())).toList();
    try {
      NetworkService.Attachment a = networks.attachAsync(vm.id(), ports, false, java.util.Set.of()).await();
      List<GuestInterface> interfaces = new ArrayList<>();
      boolean routed = false;
      for (Attached at : a.addresses()) {
        boolean route = !routed && at.gateway() != null && !at.gateway().isEmpty();
        routed |= route;
        interfaces.add(new GuestInterface(at.ifname(), at.macAddress(), at.ipAddress(), at.prefixLen(),
            route ? Optional.of(at.gateway()) : Optional.empty()));
      }
      GuestNetwork.wire(a.netns(), interfaces);
      startDhcp(vm, a, interfaces);
      return new Wired(a.netns(), interfaces);
    } catch (RuntimeException e) {
      detach(vm);
      throw e;
    }
  }

  /** The DHCP server: each tap gets its network's gateway address (so replies have a source), one static lease per MAC. */
  private void startDhcp(Vm vm, NetworkService.Attachment a, List<GuestInterface> interfaces) {
    StringBuilder script = new StringBuilder("set -e\n");
    List<String> args = new ArrayList<>(List.of(DNSMASQ, "--conf-file=/dev/null", "--port=0", "--bind-interfaces",
        "--except-interface=lo", "--dhcp-authoritative", "--leasefile-ro",
        "--pid-file=" + dnsmasqPid(vm), "--log-facility=" + vm.runDir().resolve("dhcp.log")));
    int index = 0;
    for (int i = 0; i < interfaces.size(); i++) {
      GuestInterface g = interfaces.get(i);
      Attached at = a.addresses().get(i);
      String gateway = at.gateway() == null || at.gateway().isEmpty() ? null : at.gateway();
      String server = gateway != null ? gateway : at.ipAddress();
      script.append("ip addr add ").append(server).append('/').append(g.prefixLen()).append(" dev ").append(g.tap())
          .append(" noprefixroute\n")
          // DHCP (UDP to port 67) is classified before the catch-all redirect and so reaches dnsmasq.
          .append("tc filter add dev ").append(g.tap()).append(" parent ffff: prio 1 protocol ip u32")
          .append(" match ip protocol 17 0xff match ip dport 67 0xffff flowid ffff:1\n");
      String tag = "n" + index++;
      args.add("--interface=" + g.tap());
      args.add("--dhcp-range=set:" + tag + "," + network(g.address(), g.prefixLen()) + ",static," + mask(g.prefixLen())
          + ",infinite");
      args.add("--dhcp-host=" + g.mac() + "," + g.address() + ",infinite");
      args.add("--dhcp-option=tag:" + tag + ",option:router" + g.defaultGateway().map(r -> "," + r).orElse(""));
      if (gateway != null && a.nameserver().isPresent() && i == 0) {
        args.add("--dhcp-option=tag:" + tag + ",option:dns-server," + a.nameserver().get());
      }
    }
    run(vm, a.netns(), List.of("sh", "-ec", script.toString()), "the DHCP filters");
    run(vm, a.netns(), args, "dnsmasq (the VM's DHCP server)");
  }

  /** At stop or a failed start: the DHCP server, then the network's own release (CNI DEL, ports, namespace). */
  void detach(Vm vm) {
    try {
      String pid = Files.readString(dnsmasqPid(vm)).strip();
      new ProcessBuilder("kill", pid).start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException noPidfile) {
      // no DHCP server was started
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    networks.detach(vm.id());
  }

  /** At rm: the memberships go. */
  void forget(String vmId) {
    networks.forget(vmId);
  }

  private static Path dnsmasqPid(Vm vm) {
    return vm.runDir().resolve("dnsmasq.pid");
  }

  /** QEMU's network devices for a VM on networks: one virtio-net per tap, with the interface's MAC. */
  static List<String> qemuArgs(List<GuestInterface> interfaces, String bus) {
    List<String> args = new ArrayList<>();
    for (GuestInterface i : interfaces) {
      String id = "net" + i.ifname().replaceAll("\\D", "");
      // vhost=off: no /dev/vhost-net on every host; script=no: the tap exists already.
      args.addAll(List.of("-netdev", "tap,id=" + id + ",ifname=" + i.tap() + ",script=no,downscript=no,vhost=off",
          "-device", "virtio-net-" + bus + ",netdev=" + id + ",mac=" + i.mac()));
    }
    return args;
  }

  static String network(String address, int prefixLen) {
    String[] p = address.split("\\.");
    long ip = (Long.parseLong(p[0]) << 24) | (Long.parseLong(p[1]) << 16) | (Long.parseLong(p[2]) << 8) | Long.parseLong(p[3]);
    long net = ip & maskBits(prefixLen);
    return (net >> 24 & 255) + "." + (net >> 16 & 255) + "." + (net >> 8 & 255) + "." + (net & 255);
  }

  static String mask(int prefixLen) {
    long m = maskBits(prefixLen);
    return (m >> 24 & 255) + "." + (m >> 16 & 255) + "." + (m >> 8 & 255) + "." + (m & 255);
  }

  private static long maskBits(int prefixLen) {
    return prefixLen == 0 ? 0 : (0xFFFFFFFFL << (32 - prefixLen)) & 0xFFFFFFFFL;
  }

  private static void run(Vm vm, Path netns, List<String> command, String what) {
    List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + netns));
    argv.addAll(command);
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new BerthException.Unavailable("VM " + vm.name() + ": " + what + " did not start within 30 s");
      }
      if (p.exitValue() != 0) {
        throw new BerthException.Unavailable("VM " + vm.name() + ": " + what + " failed (exit " + p.exitValue() + "): " + out);
      }
      log.debug("vm {}: {} ready", vm.shortId(), what);
    } catch (IOException e) {
      throw new BerthException.Unavailable("VM " + vm.name() + ": cannot run " + what + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException.Unavailable("VM " + vm.name() + ": interrupted while starting " + what);
    }
  }
}
