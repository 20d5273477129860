package dev.berth.engine.vm;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** A TCP port forwarded from 127.0.0.1:hostPort to the guest's guestPort (QEMU user networking). */
public record PortMapping(int hostPort, int guestPort) {
  public PortMapping {
    if (hostPort < 1 || hostPort > 65535 || guestPort < 1 || guestPort > 65535) {
      throw new BerthException.InvalidArgument("invalid port mapping " + hostPort + ":" + guestPort
          + ": ports must be 1-65535");
    }
  }

  /** Parses {@code HOST:GUEST} (optionally {@code 127.0.0.1:HOST:GUEST} or with a {@code /tcp} suffix). */
  public static PortMapping parse(String spec) {
    String s = spec.strip();
    if (s.endsWith("/tcp")) {
      s = s.substring(0, s.length() - 4);
    }
    String[] parts = s.split(":");
    if (parts.length == 3 && (parts[0].equals("127.0.0.1") || parts[0].equals("localhost"))) {
      parts = new String[] {parts[1], parts[2]};
    }
    if (parts.length != 2) {
      throw new BerthException.InvalidArgument("invalid port mapping \"" + spec
          + "\": use HOSTPORT:GUESTPORT, e.g. -p 8080:80 (VM ports are forwarded on 127.0.0.1, TCP only)");
    }
    try {
      return new PortMapping(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    } catch (NumberFormatException e) {
      throw new BerthException.InvalidArgument("invalid port mapping \"" + spec + "\": ports must be numbers");
    }
  }

  /** Fails with Conflict when 127.0.0.1:hostPort cannot be bound now, so QEMU never starts half-way. */
  public void checkFree() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), hostPort));
    } catch (IOException e) {
      throw new BerthException.Conflict("host port 127.0.0.1:" + hostPort + " is already in use ("
          + e.getMessage() + "); choose another host port with -p HOSTPORT:" + guestPort);
    }
  }

  @Override
  public String toString() {
    return "127.0.0.1:" + hostPort + "->" + guestPort + "/tcp";
  }
}
