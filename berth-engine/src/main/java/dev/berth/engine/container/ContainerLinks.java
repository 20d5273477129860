package dev.berth.engine.container;

import dev.berth.engine.runtime.spec.ProcessSpec;
import dev.berth.engine.runtime.spec.Spec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Legacy links (--link NAME:ALIAS) at start, as dockerd makes them on the default bridge: the
 * linked container's address, ports, name and environment as {@code ALIAS_…} variables, and a
 * hosts line naming it by alias, hostname and name. Pure, so it is unit-tested.
 */
final class ContainerLinks {
  private ContainerLinks() {}

  /** A link whose container runs: its address on the default bridge and its exposed ports ("80/tcp"). */
  record Resolved(Container child, String alias, String address, Set<String> exposedPorts) {}

  /** dockerd's Link.ToEnv for each link (ranges of ports as single ports). */
  static List<String> env(String parentName, List<Resolved> links) {
    List<String> env = new ArrayList<>();
    for (Resolved l : links) {
      String alias = l.alias().toUpperCase(Locale.ROOT).replace('-', '_');
      List<String[]> ports = l.exposedPorts().stream()
          .map(p -> p.contains("/") ? p.split("/", 2) : new String[] {p, "tcp"})
          .sorted(Comparator.<String[]>comparingInt(p -> Integer.parseInt(p[0]))
              .thenComparing(p -> p[1].equals("tcp") ? 0 : 1))
          .toList();
      if (!ports.isEmpty()) {
        env.add(alias + "_PORT=" + ports.getFirst()[1] + "://" + l.address() + ":" + ports.getFirst()[0]);
      }
      for (String[] p : ports) {
        String key = alias + "_PORT_" + p[0] + "_" + p[1].toUpperCase(Locale.ROOT);
        env.add(key + "=" + p[1] + "://" + l.address() + ":" + p[0]);
        env.add(key + "_ADDR=" + l.address());
        env.add(key + "_PORT=" + p[0]);
        env.add(key + "_PROTO=" + p[1]);
      }
      env.add(alias + "_NAME=/" + parentName + "/" + l.alias());
      for (String e : l.child().config().env()) {
        int eq = e.indexOf('=');
        if (eq < 0 || e.startsWith("HOME=") || e.startsWith("PATH=")) {
          continue; // dockerd leaves these out: they come from builds, not the linked service
        }
        env.add(alias + "_ENV_" + e.substring(0, eq) + "=" + e.substring(eq + 1));
      }
    }
    return env;
  }

  /** /etc/hosts lines: "IP\talias hostname name" (the name only when it differs from the alias). */
  static List<String> hostsLines(List<Resolved> links) {
    List<String> lines = new ArrayList<>();
    for (Resolved l : links) {
      String names = l.alias() + " " + l.child().config().hostname();
      if (!l.alias().equals(l.child().name())) {
        names += " " + l.child().name();
      }
      lines.add(l.address() + "\t" + names);
    }
    return lines;
  }

  /** The spec with the links' variables before the container's own (which win on the same name). */
  static Spec withEnv(Spec s, List<String> linkEnv) {
    if (linkEnv.isEmpty()) {
      return s;
    }
    ProcessSpec p = s.process();
    List<String> env = new ArrayList<>();
    for (String e : linkEnv) {
      String key = e.substring(0, e.indexOf('=') + 1);
      if (p.env().stream().noneMatch(x -> x.startsWith(key))) {
        env.add(e);
      }
    }
    env.addAll(p.env());
    ProcessSpec process = new ProcessSpec(p.terminal(), p.consoleSize(), p.user(), p.args(), List.copyOf(env), p.cwd(),
        p.capabilities(), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj());
    return new Spec(s.ociVersion(), process, s.root(), s.hostname(), s.domainname(), s.mounts(), s.linux(),
        s.annotations());
  }

  /**
   * The config without the link {@code /PARENT/ALIAS} names (Docker's {@code rm --link}).
   *
   * @return the parent's name and the config to store
   */
  static ContainerConfig without(ContainerConfig parent, String parentName, String linkName) {
    String alias = linkName.substring(linkName.lastIndexOf('/') + 1);
    List<HostOptions.Link> kept = parent.host().links().stream().filter(l -> !l.alias().equals(alias)).toList();
    if (kept.size() == parent.host().links().size()) {
      throw new dev.berth.engine.BerthException.NotFound("No such link: /" + parentName + "/" + alias);
    }
    return parent.withHost(parent.host().withLinks(kept));
  }

  /** "/web/db" → "web"; dockerd's Conflict for a name without a parent (a container's own name). */
  static String parentOf(String linkName) {
    String n = linkName.startsWith("/") ? linkName : "/" + linkName;
    int slash = n.lastIndexOf('/');
    if (slash == 0) {
      throw new dev.berth.engine.BerthException.Conflict("Conflict, cannot remove the default link name of the container");
    }
    return n.substring(1, slash);
  }
}
