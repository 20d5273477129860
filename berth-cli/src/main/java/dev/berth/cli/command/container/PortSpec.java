package dev.berth.cli.command.container;

import java.util.List;

/**
 * One {@code -p} value, as docker reads it: {@code [[hostIp:][hostPort]:]containerPort[/proto]}.
 *
 * @param hostIp "" = every address
 * @param hostPort "" = a free port
 */
record PortSpec(String hostIp, String hostPort, int containerPort, String protocol) {

  static PortSpec parse(String text) {
    String spec = text.strip();
    String proto = "tcp";
    int slash = spec.lastIndexOf('/');
    if (slash >= 0) {
      proto = spec.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
      spec = spec.substring(0, slash);
      if (!List.of("tcp", "udp").contains(proto)) {
        throw invalid(text, "protocol " + proto + " is not tcp or udp");
      }
    }
    if (spec.startsWith("[")) {
      throw invalid(text, "IPv6 host addresses are not supported");
    }
    String[] parts = spec.split(":", -1);
    String hostIp = "";
    String hostPort = "";
    String containerPort;
    switch (parts.length) {
      case 1 -> containerPort = parts[0];
      case 2 -> {
        hostPort = parts[0];
        containerPort = parts[1];
      }
      case 3 -> {
        hostIp = parts[0];
        hostPort = parts[1];
        containerPort = parts[2];
      }
      default -> throw invalid(text, "too many colons");
    }
    if (!hostIp.isEmpty() && !hostIp.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      throw invalid(text, "host address " + hostIp + " is not an IPv4 address");
    }
    if (!hostPort.isEmpty()) {
      port(text, hostPort);
    }
    return new PortSpec(hostIp, hostPort, port(text, containerPort), proto);
  }

  private static int port(String text, String p) {
    if (p.contains("-")) {
      throw invalid(text, "port ranges are not supported");
    }
    try {
      int n = Integer.parseInt(p);
      if (n < 1 || n > 65535) {
        throw invalid(text, "port " + p + " is not between 1 and 65535");
      }
      return n;
    } catch (NumberFormatException e) {
      throw invalid(text, "port \"" + p + "\" is not a number");
    }
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException("invalid --publish " + text + ": " + why
        + " (use [[HOST_IP:][HOST_PORT]:]CONTAINER_PORT[/tcp|udp])");
  }

  String key() {
    return containerPort + "/" + protocol;
  }
}
