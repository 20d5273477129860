package dev.berth.engine.network;

import dev.berth.engine.BerthException;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Host ports held by berthd for published ports, as docker-proxy holds them: iptables DNAT
 * alone would silently shadow a port that another program listens on, and would not tell a
 * free port for {@code -p 80}. The sockets never see traffic (DNAT takes it first); they only
 * keep the port, and give a clear error when it is taken.
 */
final class PortReservations {
  private final Map<String, List<Closeable>> held = new ConcurrentHashMap<>();

  /** Binds every port (choosing free ones for host port 0); all or nothing. The bindings with their ports. */
  List<PortBinding> reserve(String containerId, List<PortBinding> ports) {
    List<Closeable> sockets = new ArrayList<>();
    List<PortBinding> bound = new ArrayList<>();
    try {
      for (PortBinding p : ports) {
        InetSocketAddress at = new InetSocketAddress(p.hostIpOrAny(), p.hostPort());
        try {
          if (p.protocol().equals("udp")) {
            DatagramChannel ch = DatagramChannel.open();
            sockets.add(ch);
            ch.bind(at);
            bound.add(p.withHostPort(((InetSocketAddress) ch.getLocalAddress()).getPort()));
          } else {
            ServerSocketChannel ch = ServerSocketChannel.open();
            sockets.add(ch);
            ch.bind(at, 1);
            bound.add(p.withHostPort(((InetSocketAddress) ch.getLocalAddress()).getPort()));
          }
        } catch (IOException e) {
          throw new BerthException.Conflict("driver failed programming external connectivity: Bind for "
              + p.hostIpOrAny() + ":" + p.hostPort() + "/" + p.protocol() + " failed: port is already allocated ("
              + e.getMessage() + "); choose another host port or stop what uses it");
        }
      }
    } catch (RuntimeException e) {
      closeAll(sockets);
      throw e;
    }
    List<Closeable> old = held.put(containerId, sockets);
    if (old != null) {
      closeAll(old);
    }
    return bound;
  }

  void release(String containerId) {
    List<Closeable> sockets = held.remove(containerId);
    if (sockets != null) {
      closeAll(sockets);
    }
  }

  void releaseAll() {
    held.keySet().forEach(this::release);
  }

  private static void closeAll(List<Closeable> sockets) {
    for (Closeable c : sockets) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing a bound socket does not fail in practice
      }
    }
  }
}
