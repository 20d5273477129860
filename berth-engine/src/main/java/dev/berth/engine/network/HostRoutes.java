package dev.berth.engine.network;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The host's IPv4 routes (/proc/net/route), so new subnets avoid what the host already reaches. */
final class HostRoutes {
  private HostRoutes() {}

  static List<Cidr> read() {
    try {
      return parse(Files.readAllLines(Path.of("/proc/net/route")));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The IPv4 address (with its prefix) of a host interface, when it exists and has one. */
  static Optional<Cidr> addressOf(String interfaceName) {
    try {
      NetworkInterface nic = NetworkInterface.getByName(interfaceName);
      if (nic == null) {
        return Optional.empty();
      }
      for (InterfaceAddress a : nic.getInterfaceAddresses()) {
        if (a.getAddress() instanceof Inet4Address v4) {
          return Optional.of(Cidr.parse(v4.getHostAddress() + "/" + a.getNetworkPrefixLength()));
        }
      }
      return Optional.empty();
    } catch (SocketException e) {
      return Optional.empty();
    }
  }

  /** Destination and mask are little-endian hex; the default route (mask 0) is left out. */
  static List<Cidr> parse(List<String> lines) {
    List<Cidr> routes = new ArrayList<>();
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 8) {
        continue;
      }
      int dest = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
      int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
      if (mask == 0) {
        continue;
      }
      routes.add(new Cidr(dest, Integer.bitCount(mask)));
    }
    return routes;
  }
}
