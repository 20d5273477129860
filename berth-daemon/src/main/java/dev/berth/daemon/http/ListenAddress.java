package dev.berth.daemon.http;

import java.net.URI;
import java.nio.file.Path;

/** Where the API listens, from a dockerd-style {@code -H} value. */
public sealed interface ListenAddress {
  /** A unix socket file. */
  record Unix(Path path) implements ListenAddress {
    @Override
    public String toString() {
      return "unix://" + path;
    }
  }

  /** A TCP address: TLS unless it is loopback (see dev.berth.daemon.TlsOptions). */
  record Tcp(String host, int port) implements ListenAddress {
    /**
     * Only this machine can connect: a loopback literal or a name that resolves to loopback
     * addresses only. An empty host or 0.0.0.0/:: means every interface.
     */
    public boolean isLoopback() {
      if (host.isEmpty()) {
        return false;
      }
      try {
        java.net.InetAddress[] all = java.net.InetAddress.getAllByName(host);
        return java.util.Arrays.stream(all).allMatch(java.net.InetAddress::isLoopbackAddress);
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }

    @Override
    public String toString() {
      return "tcp://" + host + ":" + port;
    }
  }

  /** Parses {@code unix:///run/berth/berth.sock}, {@code /path.sock} or {@code tcp://127.0.0.1:2375}. */
  public static ListenAddress parse(String spec) {
    if (spec.startsWith("/")) {
      return new Unix(Path.of(spec));
    }
    if (spec.startsWith("unix://")) {
      String path = spec.substring("unix://".length());
      if (path.isEmpty() || !path.startsWith("/")) {
        throw new IllegalArgumentException("invalid host " + spec + ": a unix socket needs an absolute path, "
            + "as in unix:///run/berth/berth.sock");
      }
      return new Unix(Path.of(path));
    }
    if (spec.startsWith("tcp://")) {
      URI uri;
      try {
        uri = URI.create(spec);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid host " + spec + ": expected tcp://HOST:PORT");
      }
      if (uri.getHost() == null || uri.getPort() < 0) {
        throw new IllegalArgumentException("invalid host " + spec + ": expected tcp://HOST:PORT");
      }
      String host = uri.getHost();
      // [::1] in a URI is the address ::1
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new Tcp(host, uri.getPort());
    }
    throw new IllegalArgumentException("invalid host " + spec
        + ": use unix:///path/to/socket or tcp://HOST:PORT");
  }
}
