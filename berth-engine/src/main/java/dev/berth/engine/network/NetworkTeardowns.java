package dev.berth.engine.network;

import dev.berth.engine.state.NetworkTable;
import dev.berth.engine.state.NetworkTable.EndpointRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ended containers' network teardowns ({@link Teardown}): planned at once, run in the
 * background or here, and awaited by every step that could meet one (a new attach to the same
 * network, {@code network rm}, shutdown).
 */
final class NetworkTeardowns {
  private static final Logger log = LoggerFactory.getLogger(NetworkTeardowns.class);

  private final NetworkTable table;
  private final NetworkCni cni;
  private final Function<String, Path> netnsPath;
  /** Teardowns in flight, by container ID. */
  private final Map<String, Teardown> inFlight = new ConcurrentHashMap<>();

  NetworkTeardowns(NetworkTable table, NetworkCni cni, Function<String, Path> netnsPath) {
    this.table = table;
    this.cni = cni;
    this.netnsPath = netnsPath;
  }

  /**
   * What the container's teardown must free, registered; null when nothing is held or a
   * teardown of it is already under way (it frees everything attached when it was planned, and
   * no attach happens meanwhile: attach waits for it). Only reads: the exit path waits for it.
   */
  Teardown plan(String containerId) {
    synchronized (inFlight) {
      if (inFlight.containsKey(containerId)) {
        return null;
      }
      Path ns = netnsPath.apply(containerId);
      boolean nsExists = Files.exists(ns);
      List<Teardown.Endpoint> endpoints = new ArrayList<>();
      int index = 0;
      for (EndpointRow r : table.endpointsOf(containerId)) {
        Attached a = NetworkRecords.attached(r).orElse(null);
        String ifname = a == null ? "eth" + index : a.ifname();
        index++;
        if (a == null && !nsExists) {
          continue; // never attached: nothing to free
        }
        Optional<Network> n = table.byId(r.networkId()).map(NetworkRecords::toNetwork);
        n.ifPresent(net -> endpoints.add(new Teardown.Endpoint(net, ifname, a != null,
            a == null ? null : NetworkCni.resultOf(a))));
      }
      if (endpoints.isEmpty() && !nsExists) {
        return null;
      }
      Teardown t = new Teardown(containerId, ns, nsExists, List.copyOf(endpoints), new CompletableFuture<>());
      inFlight.put(containerId, t);
      return t;
    }
  }

  /** Runs the teardown on a virtual thread of its own. */
  void runInBackground(Teardown t) {
    Thread.ofVirtual().name("net-teardown-" + t.containerId().substring(0, Math.min(12, t.containerId().length())))
        .start(() -> run(t, true));
  }

  /**
   * The endpoints read as detached (first: the container has ended), then CNI DEL per endpoint
   * (frees the lease, deletes the veth), then the namespace if asked. A crash in between leaves the
   * namespace file and the lease files, which reconcile frees.
   */
  void run(Teardown t, boolean removeNamespace) {
    long t0 = System.nanoTime();
    String id12 = t.containerId().substring(0, Math.min(12, t.containerId().length()));
    try {
      for (Teardown.Endpoint e : t.endpoints()) {
        if (e.recorded()) {
          table.setAttached(t.containerId(), e.network().id(), ""); // no-op once the container's rows are gone
        }
      }
      for (Teardown.Endpoint e : t.endpoints()) {
        try {
          cni.del(e.network(), t.containerId(), t.netnsExists() ? t.netns().toString() : "", e.ifname(), e.added());
        } catch (RuntimeException ex) {
          log.warn("container {}: CNI DEL on network {} failed: {}", id12, e.network().name(), ex.getMessage());
        }
      }
      if (t.netnsExists() && removeNamespace) {
        try {
          Netns.remove(t.netns());
        } catch (RuntimeException ex) {
          log.warn("container {}: {}", id12, ex.getMessage());
        }
      }
      log.debug("container {} detached in {} ms", id12, (System.nanoTime() - t0) / 1_000_000);
    } finally {
      inFlight.remove(t.containerId(), t);
      t.done().complete(null);
    }
  }

  /** Waits for the teardowns of {@code containerId} and of any container that was on one of {@code networkIds}. */
  void await(String containerId, Collection<String> networkIds) {
    for (Teardown t : List.copyOf(inFlight.values())) {
      if (t.holds(containerId, networkIds)) {
        t.done().join();
      }
    }
  }

  void awaitAll() {
    List.copyOf(inFlight.values()).forEach(t -> t.done().join());
  }
}
