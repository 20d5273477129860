package dev.berth.engine.bench;

import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.container.ContainerExecs;
import dev.berth.engine.container.ContainerExits;
import dev.berth.engine.container.ContainerNetworking;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.network.NetworkService;
import dev.berth.engine.network.PortBinding;
import dev.berth.engine.runtime.AttachSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Berth's own containers through the engine's {@link ContainerService}: isolation {@code process}
 * (runc under conmon) or {@code vm} (a microVM). No HTTP and no CLI are on the measured path.
 */
final class EngineInstances implements Instances, AutoCloseable {
  static final String LABEL = "dev.berth.bench";

  private final ContainerService containers;
  private final NetworkService networks;
  private final String image;
  private final String isolation;
  private final String runId;
  private final AtomicInteger serial = new AtomicInteger();
  private final Set<String> live = ConcurrentHashMap.newKeySet();

  EngineInstances(ContainerService containers, NetworkService networks, String image, String isolation, String runId) {
    this.containers = containers;
    this.networks = networks;
    this.image = image;
    this.isolation = isolation;
    this.runId = runId;
  }

  @Override
  public String kind() {
    return isolation.equals("vm") ? "microvm" : "container";
  }

  @Override
  public String startMethod() {
    return "engine calls, no CLI or HTTP: ContainerService.create, attach, start; the clock starts before create and"
        + " stops at the first byte on the attach stream (first output) and when the exit is recorded (exit);"
        + " default network (bridge), isolation=" + isolation;
  }

  @Override
  public String accelerator() {
    return isolation.equals("vm") ? containers.microVms().accel() : "none";
  }

  private Container create(String script, boolean publish) {
    List<PortBinding> ports = publish ? List.of(new PortBinding("tcp", SERVER_PORT, "127.0.0.1", 0)) : List.of();
    ContainerConfig config = new ContainerConfig(image, List.of("/bin/sh", "-c"), List.of(script), null, null, null,
        null, null, Map.of(LABEL, runId), false, false, false, null, null, false, false, false, null, null, false,
        null, 0, 0, 0, 0, null, 0, null, null, null, null, new ContainerNetworking(false, ports, null, null), null,
        isolation);
    Container c = containers.create("bench-" + runId + "-" + kind() + "-" + serial.incrementAndGet(), config);
    live.add(c.id());
    return c;
  }

  @Override
  public StartSample runToExit(String script, Duration timeout) throws Exception {
    long t0 = System.nanoTime();
    Container c = create(script, false);
    try {
      CompletableFuture<AttachSession> attach = containers.attach().attachWhenStarted(c.id());
      CompletableFuture<ContainerExits.WaitResult> exit = containers.exits().waitFor(c.id(),
          ContainerExits.WaitCondition.NEXT_EXIT);
      containers.start(c.id());
      long first = -1;
      try (AttachSession s = attach.get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        while (s.read() != null) {
          if (first < 0) {
            first = System.nanoTime() - t0;
          }
        }
      } catch (IOException reset) {
        // conmon may reset the attach socket as the container ends (ECONNRESET) rather than close it:
        // after the first output that is the output's end; the exit is timed by the wait below
        if (first < 0) {
          throw reset;
        }
      }
      exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      long exited = System.nanoTime() - t0;
      if (first < 0) {
        throw new IllegalStateException("the instance exited without output");
      }
      return new StartSample(first, exited);
    } finally {
      remove(new Instance(c.id(), "", 0));
    }
  }

  @Override
  public Instance startIdle(String script, boolean publish, Duration timeout) throws Exception {
    Container c = create(script, publish);
    try {
      CompletableFuture<AttachSession> attach = containers.attach().attachWhenStarted(c.id());
      containers.start(c.id());
      try (AttachSession s = attach.get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        if (s.read() == null) {
          throw new IllegalStateException("the instance ended before it was ready");
        }
      }
      String ip = networks.endpoints(c.id()).stream().flatMap(e -> e.attached().stream())
          .map(a -> a.ipAddress()).findFirst().orElse("");
      int hostPort = publish ? networks.publishedPorts(c.id()).stream().mapToInt(PortBinding::hostPort).findFirst()
          .orElseThrow(() -> new IllegalStateException("no published port")) : 0;
      return new Instance(c.id(), ip, hostPort);
    } catch (Exception | Error e) {
      remove(new Instance(c.id(), "", 0));
      throw e;
    }
  }

  @Override
  public String exec(Instance instance, String script, Duration timeout) {
    ContainerExecs execs = containers.execs();
    ContainerExecs.Exec e = execs.create(instance.id(),
        new ContainerExecs.ExecConfig(List.of("/bin/sh", "-c", script), List.of(), "", "", false, false, false));
    ContainerExecs.Exec done = execs.run(e.id(), timeout);
    if (done.exitCode() == null || done.exitCode() != 0) {
      throw new IllegalStateException("exec in " + kind() + " exited " + done.exitCode() + ": " + done.stderr().strip());
    }
    return done.stdout();
  }

  /** The runtime's processes plus their supervisor (conmon, the parent of the container's init); QEMU for a microVM. */
  @Override
  public List<Long> pids(Instance instance) throws IOException {
    Set<Long> pids = new LinkedHashSet<>();
    containers.pids(instance.id()).forEach(p -> pids.add((long) p));
    List<Long> parents = new ArrayList<>();
    for (long p : pids) {
      long parent = parentOf(p);
      if (parent > 1 && !pids.contains(parent) && !isolation.equals("vm")) {
        parents.add(parent);
      }
    }
    pids.addAll(parents);
    return List.copyOf(pids);
  }

  static long parentOf(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("PPid:")) {
          return Long.parseLong(line.substring(5).trim());
        }
      }
    } catch (IOException | NumberFormatException gone) {
      return -1;
    }
    return -1;
  }

  @Override
  public void remove(Instance instance) {
    try {
      containers.remove(instance.id(), true);
    } catch (RuntimeException gone) {
      // already removed; the close below retries the rest
    }
    live.remove(instance.id());
  }

  /** Removes whatever a failed measurement left. */
  @Override
  public void close() {
    for (String id : List.copyOf(live)) {
      remove(new Instance(id, "", 0));
    }
  }
}
