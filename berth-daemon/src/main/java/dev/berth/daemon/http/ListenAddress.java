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

  /** A TCP address; plain HTTP, so meant for loopback. */
  record Tcp(String host, int port) implements ListenAddress {
    @Override
    public String toString() {
      return "tcp://" + host + ":" + port;
    }
  }

  /** Parses {@code unix:///run/berth/berth.sock}, {@code /path.sock} or {@code tcp://127.0.0.1:2375}. */
  static ListenAddress parse(String spec) {
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
      URI uri = URI.create(spec);
      if (uri.getHost() == null || uri.getPort() < 0) {
        throw new IllegalArgumentException("invalid host " + spec + ": expected tcp://HOST:PORT");
      }
      return new Tcp(uri.getHost(), uri.getPort());
    }
    throw new IllegalArgumentException("invalid host " + spec
        + ": use unix:///path/to/socket or tcp://HOST:PORT");
  }
}
