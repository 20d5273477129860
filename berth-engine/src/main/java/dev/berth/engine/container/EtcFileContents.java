package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The text of a container's /etc/hosts and /etc/resolv.conf, as Docker writes them: the usual
 * entries, then --add-host lines, then the container's own name; the host's resolver lines with
 * --dns, --dns-search and --dns-option replacing theirs. Pure, so it is unit-tested.
 */
final class EtcFileContents {
  static final String HOST_GATEWAY = "host-gateway";
  private static final String DEFAULTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
      + "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

  private EtcFileContents() {}

  /** One --add-host: "name:ip" (or "name=ip"; the address may be IPv6 or host-gateway). */
  record ExtraHost(String name, String address) {}

  static ExtraHost extraHost(String entry) {
    int sep = entry.indexOf('=') > 0 ? entry.indexOf('=') : entry.indexOf(':');
    if (sep <= 0 || sep == entry.length() - 1) {
      throw new BerthException.InvalidArgument("invalid argument \"" + entry + "\" for \"--add-host\" flag: "
          + "bad format for add-host: \"" + entry + "\" (use NAME:IP)");
    }
    String name = entry.substring(0, sep);
    String address = entry.substring(sep + 1);
    if (address.startsWith("[") && address.endsWith("]")) {
      address = address.substring(1, address.length() - 1);
    }
    if (!address.equals(HOST_GATEWAY) && !address.matches("[0-9.]+|[0-9a-fA-F:.]+")) {
      throw new BerthException.InvalidArgument("invalid argument \"" + entry + "\" for \"--add-host\" flag: "
          + "invalid IP address in add-host: \"" + address + "\"");
    }
    return new ExtraHost(name, address);
  }

  /**
   * /etc/hosts.
   *
   * @param ownAddress the container's address for its own name; empty with the host's network (no line)
   * @param hostGateway what "host-gateway" stands for (the default bridge's address); empty if unknown
   */
  static String hosts(ContainerConfig c, String hostname, Optional<String> ownAddress, Optional<String> hostGateway) {
    return hosts(c, hostname, ownAddress, hostGateway, List.of());
  }

  /** As above, with the lines of legacy links ("IP\talias hostname name"), after --add-host's. */
  static String hosts(ContainerConfig c, String hostname, Optional<String> ownAddress, Optional<String> hostGateway,
      List<String> linkLines) {
    StringBuilder out = new StringBuilder(DEFAULTS);
    for (String entry : c.host().extraHosts()) {
      ExtraHost h = extraHost(entry);
      String address = h.address();
      if (address.equals(HOST_GATEWAY)) {
        address = hostGateway.orElseThrow(() -> new BerthException.InvalidArgument("unable to derive the IP value "
            + "for host-gateway: Berth has no default bridge here"));
      }
      out.append(address).append('\t').append(h.name()).append('\n');
    }
    linkLines.forEach(l -> out.append(l).append('\n'));
    if (ownAddress.isPresent()) {
      String fqdn = c.domainname().isEmpty() ? hostname : hostname + "." + c.domainname();
      out.append(ownAddress.get()).append('\t').append(fqdn).append(fqdn.equals(hostname) ? "" : " " + hostname)
          .append('\n');
    }
    return out.toString();
  }

  /**
   * /etc/resolv.conf from the host's lines.
   *
   * @param hostLines the host's /etc/resolv.conf
   * @param nameserver the network's own name server (user networks), which comes first
   * @param dropLoopback whether the host's loopback name servers are left out (a namespace of its own cannot reach them)
   */
  static String resolvConf(ContainerConfig c, List<String> hostLines, Optional<String> nameserver,
      boolean dropLoopback) {
    HostOptions h = c.host();
    List<String> servers = new ArrayList<>();
    List<String> search = new ArrayList<>();
    List<String> options = new ArrayList<>();
    List<String> other = new ArrayList<>();
    for (String line : hostLines) {
      String t = line.strip();
      if (t.startsWith("nameserver")) {
        String server = t.substring("nameserver".length()).strip();
        if (!(dropLoopback && (server.startsWith("127.") || server.equals("::1")))) {
          servers.add(server);
        }
      } else if (t.startsWith("search") || t.startsWith("domain")) {
        search.add(t);
      } else if (t.startsWith("options")) {
        options.add(t);
      } else if (!t.isEmpty()) {
        other.add(t);
      }
    }
    StringBuilder out = new StringBuilder();
    other.forEach(l -> out.append(l).append('\n'));
    nameserver.ifPresent(ns -> out.append("nameserver ").append(ns).append('\n'));
    if (!h.dns().isEmpty()) {
      h.dns().forEach(ns -> out.append("nameserver ").append(ns).append('\n'));
    } else if (nameserver.isEmpty()) {
      servers.forEach(ns -> out.append("nameserver ").append(ns).append('\n'));
    }
    if (!h.dnsSearch().isEmpty()) {
      List<String> domains = h.dnsSearch().stream().filter(d -> !d.equals(".")).toList();
      if (!domains.isEmpty()) {
        out.append("search ").append(String.join(" ", domains)).append('\n');
      }
    } else {
      search.forEach(l -> out.append(l).append('\n'));
    }
    if (!h.dnsOptions().isEmpty()) {
      out.append("options ").append(String.join(" ", h.dnsOptions())).append('\n');
    } else {
      options.forEach(l -> out.append(l).append('\n'));
    }
    return out.toString();
  }
}
