package dev.berth.cli.client;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/** Where the daemon listens, from {@code -H} or BERTH_HOST: unix:///path or tcp://host:port. */
public sealed interface DaemonAddress {
  String DEFAULT = "unix:///run/berth/berth.sock";

  SocketAddress socketAddress();

  record Unix(Path path) implements DaemonAddress {
    @Override
    public SocketAddress socketAddress() {
      return UnixDomainSocketAddress.of(path);
    }

    @Override
    public String toString() {
      return "unix://" + path;
    }
  }

  record Tcp(String host, int port) implements DaemonAddress {
    @Override
    public SocketAddress socketAddress() {
      return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
      return "tcp://" + host + ":" + port;
    }
  }

  static DaemonAddress parse(String spec) {
    if (spec.startsWith("unix://") && spec.length() > "unix://".length()) {
      return new Unix(Path.of(spec.substring("unix://".length())));
    }
    if (spec.startsWith("/")) {
      return new Unix(Path.of(spec));
    }
    if (spec.startsWith("tcp://")) {
      URI uri = URI.create(spec);
      if (uri.getHost() != null && uri.getPort() > 0) {
        return new Tcp(uri.getHost(), uri.getPort());
      }
    }
    throw new IllegalArgumentException("invalid daemon address \"" + spec
        + "\": use unix:///path/to/berth.sock or tcp://HOST:PORT");
  }
}
