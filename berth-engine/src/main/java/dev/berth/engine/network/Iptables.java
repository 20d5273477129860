package dev.berth.engine.network;

import java.util.ArrayList;
import java.util.List;

/**
 * Berth's iptables rules, all in chains named after the daemon's prefix (several daemons can
 * share a host) and changed in batches through {@code iptables-restore --noflush}:
 * <ul>
 *   <li>nat {@code P-DNAT} (from PREROUTING and OUTPUT, for local destinations): published ports;
 *   <li>nat {@code P-POST} (from POSTROUTING): masquerade of a network's traffic out of it, and of
 *       loopback-sourced traffic into a bridge, so 127.0.0.1:port reaches the container (the
 *       bridge also gets route_localnet);
 *   <li>filter {@code P-FWD} (from FORWARD): isolation between networks, internal networks.
 * </ul>
 * Every rule carries a comment naming its owner ({@code P:c:<container>} or {@code P:n:<network>}),
 * so it is removed by reading iptables-save, not by remembering it.
 */
final class Iptables {
  private final String prefix;

  Iptables(String prefix) {
    this.prefix = prefix;
  }

  String dnat() {
    return prefix + "-DNAT";
  }

  String post() {
    return prefix + "-POST";
  }

  String fwd() {
    return prefix + "-FWD";
  }

  String containerTag(String containerId) {
    return prefix + ":c:" + containerId.substring(0, 12);
  }

  String networkTag(String networkId) {
    return prefix + ":n:" + networkId.substring(0, 12);
  }

  /** Creates the chains and their jumps when missing. */
  void ensureChains() {
    String nat = save("nat");
    String filter = save("filter");
    StringBuilder b = new StringBuilder("*nat\n");
    if (!nat.contains(":" + dnat() + " ")) {
      b.append(':').append(dnat()).append(" - [0:0]\n")
          .append("-A PREROUTING -m addrtype --dst-type LOCAL -j ").append(dnat()).append('\n')
          .append("-A OUTPUT -m addrtype --dst-type LOCAL -j ").append(dnat()).append('\n');
    }
    if (!nat.contains(":" + post() + " ")) {
      b.append(':').append(post()).append(" - [0:0]\n").append("-A POSTROUTING -j ").append(post()).append('\n');
    }
    b.append("COMMIT\n*filter\n");
    if (!filter.contains(":" + fwd() + " ")) {
      b.append(':').append(fwd()).append(" - [0:0]\n").append("-I FORWARD 1 -j ").append(fwd()).append('\n');
    }
    b.append("COMMIT\n");
    restore(b.toString());
  }

  /** The rules of one published port (one container address). */
  static String portRule(String chain, PortBinding p, String containerIp, String tag) {
    return "-A " + chain + (p.hostIp().isEmpty() ? "" : " -d " + p.hostIp() + "/32") + " -p " + p.protocol()
        + " -m " + p.protocol() + " --dport " + p.hostPort() + " -m comment --comment " + tag
        + " -j DNAT --to-destination " + containerIp + ":" + p.containerPort();
  }

  void addPorts(String containerId, List<PortBinding> ports, String containerIp) {
    if (ports.isEmpty()) {
      return;
    }
    StringBuilder b = new StringBuilder("*nat\n");
    for (PortBinding p : ports) {
      b.append(portRule(dnat(), p, containerIp, containerTag(containerId))).append('\n');
    }
    restore(b.append("COMMIT\n").toString());
  }

  /** Removes every rule tagged for the container (or network), whatever created it. */
  void removeTagged(String tag) {
    StringBuilder b = new StringBuilder();
    for (String table : List.of("nat", "filter")) {
      List<String> deletes = deletesFor(save(table), tag);
      if (!deletes.isEmpty()) {
        b.append('*').append(table).append('\n');
        deletes.forEach(d -> b.append(d).append('\n'));
        b.append("COMMIT\n");
      }
    }
    if (!b.isEmpty()) {
      restore(b.toString());
    }
  }

  /** "-A chain …" lines of iptables-save carrying {@code tag} as their comment, turned into "-D chain …". */
  static List<String> deletesFor(String saved, String tag) {
    List<String> out = new ArrayList<>();
    for (String line : saved.split("\n")) {
      if (line.startsWith("-A ") && (line.contains("--comment " + tag + " ") || line.endsWith("--comment " + tag)
          || line.contains("--comment \"" + tag + "\""))) {
        out.add("-D " + line.substring(3));
      }
    }
    return out;
  }

  /** Per network: masquerade of loopback sources into its bridge; isolation from the other networks. */
  void setNetworkRules(List<Network> networks) {
    StringBuilder nat = new StringBuilder("*nat\n-F ").append(post()).append('\n');
    StringBuilder filter = new StringBuilder("*filter\n-F ").append(fwd()).append('\n');
    for (Network n : networks) {
      String br = n.config().bridge();
      String tag = networkTag(n.id());
      nat.append("-A ").append(post()).append(" -s 127.0.0.0/8 -o ").append(br)
          .append(" -m comment --comment ").append(tag).append(" -j MASQUERADE\n");
      if (!n.config().internal()) { // traffic out of the network leaves with the host's address
        nat.append("-A ").append(post()).append(" -s ").append(n.config().subnet()).append(" ! -o ").append(br)
            .append(" -m comment --comment ").append(tag).append(" -j MASQUERADE\n");
      }
      for (Network other : networks) {
        if (!other.id().equals(n.id())) {
          filter.append("-A ").append(fwd()).append(" -i ").append(br).append(" -o ").append(other.config().bridge())
              .append(" -m comment --comment ").append(tag).append(" -j DROP\n");
        }
      }
      if (n.config().internal()) {
        filter.append("-A ").append(fwd()).append(" -i ").append(br).append(" ! -o ").append(br)
            .append(" -m comment --comment ").append(tag).append(" -j DROP\n");
        filter.append("-A ").append(fwd()).append(" -o ").append(br).append(" ! -i ").append(br)
            .append(" -m comment --comment ").append(tag).append(" -j DROP\n");
      }
    }
    // Hosts whose FORWARD policy is DROP (dockerd sets that) must still pass the bridges' traffic.
    for (Network n : networks) {
      if (!n.config().internal()) {
        String br = n.config().bridge();
        String tag = networkTag(n.id());
        filter.append("-A ").append(fwd()).append(" -i ").append(br).append(" -m comment --comment ").append(tag)
            .append(" -j ACCEPT\n");
        filter.append("-A ").append(fwd()).append(" -o ").append(br).append(" -m comment --comment ").append(tag)
            .append(" -j ACCEPT\n");
      }
    }
    restore(nat.append("COMMIT\n").toString() + filter.append("COMMIT\n"));
  }

  /** Removes the chains and their jumps (the daemon's last network is gone; tests clean up with it). */
  void removeChains() {
    StringBuilder b = new StringBuilder();
    String nat = save("nat");
    String filter = save("filter");
    b.append("*nat\n");
    for (String line : nat.split("\n")) {
      if (line.startsWith("-A ") && (line.endsWith("-j " + dnat()) || line.endsWith("-j " + post()))) {
        b.append("-D ").append(line.substring(3)).append('\n');
      }
    }
    for (String chain : List.of(dnat(), post())) {
      if (nat.contains(":" + chain + " ")) {
        b.append("-F ").append(chain).append('\n').append("-X ").append(chain).append('\n');
      }
    }
    b.append("COMMIT\n*filter\n");
    for (String line : filter.split("\n")) {
      if (line.startsWith("-A ") && line.endsWith("-j " + fwd())) {
        b.append("-D ").append(line.substring(3)).append('\n');
      }
    }
    if (filter.contains(":" + fwd() + " ")) {
      b.append("-F ").append(fwd()).append('\n').append("-X ").append(fwd()).append('\n');
    }
    restore(b.append("COMMIT\n").toString());
  }

  static String save(String table) {
    return HostCommand.checked(List.of("iptables-save", "-t", table), "").stdout();
  }

  static void restore(String batch) {
    HostCommand.checked(List.of("iptables-restore", "--noflush", "--wait"), batch);
  }
}
