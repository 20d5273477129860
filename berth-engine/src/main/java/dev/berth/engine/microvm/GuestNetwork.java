package dev.berth.engine.microvm;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A microVM container on Berth's networks, the way Kata Containers does it: CNI wires the
 * container's network namespace exactly as for a runc container (eth0 with the IPAM address);
 * inside that namespace a tap device is made beside each eth&lt;n&gt; and tc redirects every
 * frame between the two (ingress of one → egress of the other), so the guest's virtio-net
 * interface, carrying eth&lt;n&gt;'s MAC and address, is the container on the wire. QEMU runs in
 * the namespace and opens the tap by name. Published ports, DNAT, DNS and inspect are about the
 * namespace's address and need nothing more. Pure except {@link #wire}.
 */
public final class GuestNetwork {
  private GuestNetwork() {}

  /**
   * The shell script that makes the taps and the redirects, run inside the namespace: one
   * {@code ip -batch} and one {@code tc -batch}, whatever the number of interfaces (each process
   * costs start time).
   */
  static String hostScript(List<GuestInterface> interfaces) {
    StringBuilder ip = new StringBuilder();
    StringBuilder tc = new StringBuilder();
    for (GuestInterface i : interfaces) {
      String tap = i.tap();
      ip.append("tuntap add ").append(tap).append(" mode tap\n").append("link set ").append(tap).append(" up\n");
      // u32 matching everything: the matchall classifier is not in every kernel (not in this CI's).
      for (String[] pair : new String[][] {{i.ifname(), tap}, {tap, i.ifname()}}) {
        tc.append("qdisc add dev ").append(pair[0]).append(" ingress\n")
            .append("filter add dev ").append(pair[0]).append(" parent ffff: protocol all u32 match u8 0 0")
            .append(" action mirred egress redirect dev ").append(pair[1]).append('\n');
      }
    }
    return "ip -batch - <<'EOF'\n" + ip + "EOF\ntc -batch - <<'EOF'\n" + tc + "EOF\n";
  }

  /** QEMU's options: one virtio-net device per tap, with the CNI interface's MAC. */
  static List<String> qemuArgs(List<GuestInterface> interfaces) {
    List<String> args = new ArrayList<>();
    for (GuestInterface i : interfaces) {
      String id = "net" + i.ifname().replaceAll("\\D", "");
      // vhost=off: no /dev/vhost-net on these hosts; script=no: the tap exists already.
      args.addAll(List.of("-netdev", "tap,id=" + id + ",ifname=" + i.tap() + ",script=no,downscript=no,vhost=off",
          "-device", "virtio-net-device,netdev=" + id + ",mac=" + i.mac()));
    }
    return args;
  }

  /**
   * The guest init's network file ({@code /berth/net}): one line per interface, "MAC
   * ADDRESS/PREFIX GATEWAY" ("-" for no default route); the init finds each interface by its MAC.
   */
  static String guestConfig(List<GuestInterface> interfaces) {
    StringBuilder s = new StringBuilder();
    for (GuestInterface i : interfaces) {
      s.append(i.mac().toLowerCase()).append(' ').append(i.address()).append('/').append(i.prefixLen()).append(' ')
          .append(i.defaultGateway().orElse("-")).append('\n');
    }
    return s.toString();
  }

  /** The command prefix that runs QEMU in the namespace. */
  static List<String> inNamespace(Path netns) {
    return List.of("nsenter", "--net=" + netns);
  }

  /** Makes the taps and redirects in {@code netns}; they go with the namespace (or when QEMU ends, for the tap's state). */
  public static void wire(Path netns, List<GuestInterface> interfaces) {
    if (interfaces.isEmpty()) {
      return;
    }
    List<String> argv = new ArrayList<>(inNamespace(netns));
    argv.addAll(List.of("sh", "-ec", hostScript(interfaces)));
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new BerthException("wiring the microVM's taps in " + netns + " did not finish within 30 s");
      }
      if (p.exitValue() != 0) {
        throw new BerthException("cannot wire the microVM's taps in " + netns + " (ip/tc, exit " + p.exitValue()
            + "): " + out);
      }
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot run nsenter to wire the microVM's network (util-linux, iproute2): "
          + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException("interrupted while wiring the microVM's network", e);
    }
  }
}
