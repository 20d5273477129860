package dev.berth.engine.bench;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Measures one kind of isolation through {@link Instances}: start, memory, isolation facts,
 * workload ratios, network throughput, density. A measurement that fails becomes a note and the
 * row goes on ("partial"); whatever it started is removed.
 */
final class KindBench {
  static final int STEPS = 6;
  private static final double MIB = 1024.0 * 1024.0;

  private final Instances instances;
  private final Budgets budgets;
  private final HostFloor floor;
  private final String hostKernel;
  private final Duration timeout;
  private final Consumer<String> progress;
  private final List<Figure> figures = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private IsolationFacts facts;

  KindBench(Instances instances, Budgets budgets, HostFloor floor, String hostKernel, Consumer<String> progress) {
    this.instances = instances;
    this.budgets = budgets;
    this.floor = floor;
    this.hostKernel = hostKernel;
    this.progress = progress;
    this.timeout = instances.accelerator().equals("tcg") ? Duration.ofMinutes(3) : Duration.ofMinutes(1);
  }

  /** The host's own figure for a workload step, run on the host with the same busybox. */
  interface HostFloor {
    Map<String, Double> seconds(int mib, int syscalls, Instances source, Instances.Instance running) throws Exception;

    /** Which busybox binary ran on the host, for the methods. */
    String binary();
  }

  KindResult run(String label) {
    step("start: " + budgets.warmups() + " warm-up + " + budgets.runs() + " timed runs", this::start);
    Instances.Instance[] pair = new Instances.Instance[2];
    step("starting an idle instance and a server instance", () -> startPair(pair));
    try {
      if (pair[0] != null) {
        step("memory and isolation facts", () -> memoryAndFacts(pair[0]));
        step("CPU and I/O workload (" + budgets.workloadMib() + " MiB, " + budgets.syscalls() + " syscalls)",
            () -> workload(pair[0]));
        if (pair[1] != null) {
          step("network (" + budgets.networkMib() + " MiB each way)", () -> network(pair[0], pair[1]));
        } else {
          notes.add("network: not measured, the server instance did not start");
        }
      } else {
        notes.add("memory, facts, workload, network: not measured, no idle instance started");
      }
    } finally {
      for (Instances.Instance i : pair) {
        if (i != null) {
          instances.remove(i);
        }
      }
    }
    step("density: up to " + budgets.densityCap() + " idle instances within " + budgets.densityMemoryMib() + " MiB and "
        + budgets.densityTime().toSeconds() + " s", this::density);
    String status = notes.isEmpty() ? "measured" : figures.isEmpty() ? "failed" : "partial";
    String reason = figures.isEmpty() && !notes.isEmpty() ? notes.getFirst() : "";
    KindResult draft = new KindResult(instances.kind(), label, status, reason, figures, facts, notes, "");
    return new KindResult(draft.kind(), label, status, reason, figures, facts, notes, Verdicts.of(draft));
  }

  private interface Step {
    void run() throws Exception;
  }

  private void step(String what, Step s) {
    progress.accept(what);
    try {
      s.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      notes.add(what + ": interrupted");
    } catch (Exception e) {
      String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      notes.add(what.replaceAll(" \\(.*", "") + ": failed: " + msg.strip());
    }
  }

  /** Both at once (a microVM boot takes seconds); one that fails is removed by {@link Instances}. */
  private void startPair(Instances.Instance[] pair) throws Exception {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      var idle = pool.submit(() -> instances.startIdle(Scripts.IDLE, false, timeout));
      var server = pool.submit(() -> instances.startIdle(Scripts.SERVER, true, timeout));
      Exception failed = null;
      try {
        pair[0] = idle.get();
      } catch (java.util.concurrent.ExecutionException e) {
        failed = (Exception) (e.getCause() instanceof Exception c ? c : e);
      }
      try {
        pair[1] = server.get();
      } catch (java.util.concurrent.ExecutionException e) {
        failed = failed != null ? failed : (Exception) (e.getCause() instanceof Exception c ? c : e);
      }
      if (failed != null) {
        throw failed;
      }
    }
  }

  private void start() throws Exception {
    List<Double> first = new ArrayList<>();
    List<Double> exit = new ArrayList<>();
    for (int i = 0; i < budgets.warmups() + budgets.runs(); i++) {
      Instances.StartSample s = instances.runToExit("echo ready", timeout);
      if (i >= budgets.warmups()) {
        first.add(s.firstOutputNanos() / 1e6);
        exit.add(s.exitNanos() / 1e6);
      }
    }
    String how = instances.startMethod() + "; command `sh -c 'echo ready'`; " + budgets.warmups()
        + " warm-up run(s) not counted; p90 is the nearest-rank 90th percentile";
    int n = first.size();
    figures.add(new Figure("start.firstOutput.median", "create to first output, median", Stats.median(first), "ms", how, n));
    figures.add(new Figure("start.firstOutput.p90", "create to first output, p90", Stats.p90(first), "ms", how, n));
    figures.add(new Figure("start.exit.median", "create to exit, median", Stats.median(exit), "ms", how, n));
    figures.add(new Figure("start.exit.p90", "create to exit, p90", Stats.p90(exit), "ms", how, n));
  }

  private void memoryAndFacts(Instances.Instance idle) throws Exception {
    List<Long> pids = instances.pids(idle);
    long bytes = Pss.sum(pids);
    if (bytes <= 0) {
      throw new IllegalStateException("no PSS readable for pids " + pids);
    }
    figures.add(new Figure("memory.pss", "host memory of one idle instance", bytes / MIB, "MiB",
        "sum of Pss in /proc/PID/smaps_rollup over every process the instance adds (" + pids.size() + " pids: "
            + (instances.accelerator().equals("none") ? "the runtime's supervisor and the container's processes"
                : "the QEMU process that holds the guest") + "), right after it printed ready; command `sleep`", 1));
    facts = Scripts.facts(instances.exec(idle, Scripts.FACTS, timeout), hostKernel, instances.accelerator());
  }

  private void workload(Instances.Instance idle) throws Exception {
    // Alternated with the host's run, the fastest of each kept: on a busy machine the minimum is
    // the figure least disturbed by other work.
    Map<String, Double> inside = new HashMap<>();
    Map<String, Double> host = new HashMap<>();
    for (int i = 0; i < budgets.workloadRuns(); i++) {
      Scripts.durations(instances.exec(idle, Scripts.workload("/tmp", budgets.workloadMib(), budgets.syscalls()),
          timeout)).forEach((k, v) -> inside.merge(k, v, Math::min));
      floor.seconds(budgets.workloadMib(), budgets.syscalls(), instances, idle).forEach((k, v) -> host.merge(k, v, Math::min));
    }
    ratio("cpu.hash.ratio", "CPU: sha256sum, inside / host", "hash", inside, host,
        "busybox sha256sum over a generated " + budgets.workloadMib() + " MiB file in /tmp");
    ratio("io.writeRead.ratio", "I/O: write+fsync then read, inside / host", "io", inside, host,
        "busybox dd: write " + budgets.workloadMib() + " MiB to /tmp with conv=fsync, then read it back");
    ratio("cpu.syscalls.ratio", "syscalls: 1-byte dd loop, inside / host", "syscalls", inside, host,
        "busybox dd bs=1 count=" + budgets.syscalls() + " from /dev/zero to /dev/null (a read and a write each)");
  }

  private void ratio(String key, String label, String step, Map<String, Double> inside, Map<String, Double> host,
      String what) {
    Double in = inside.get(step);
    Double onHost = host.get(step);
    if (in == null || onHost == null || onHost <= 0 || in <= 0) {
      notes.add(label + ": no time measured (inside " + in + " s, host " + onHost + " s)");
      return;
    }
    figures.add(new Figure(key, label, in / onHost, "x", what + "; timed inside around the step (adjtimex, µs;"
        + " /proc/uptime where refused); the same script run on the host by " + floor.binary()
        + " is the floor (1.0); the fastest of " + budgets.workloadRuns() + " run(s) each, alternated: inside " + fmt(in)
        + " s, host " + fmt(onHost) + " s", budgets.workloadRuns()));
  }

  private void network(Instances.Instance client, Instances.Instance server) throws Exception {
    int mib = budgets.networkMib();
    if (server.ip().isEmpty()) {
      notes.add("network instance-to-instance: the server has no address");
    } else {
      String out = instances.exec(client, Scripts.send(server.ip(), mib), timeout);
      long got = Scripts.sentBytes(out);
      if (got != mib * (long) MIB) {
        throw new IllegalStateException("the server counted " + got + " bytes, not " + (mib * (long) MIB));
      }
      double s = Scripts.durations(out).get("send");
      figures.add(new Figure("net.instanceToInstance", "throughput instance to instance", mib / s, "MiB/s",
          "busybox dd | busybox nc from one instance to another's address on the default network (" + mib
              + " MiB); the server (nc -ll -e wc -c) sends the count back, so the time covers delivery", 1));
    }
    double s = hostToInstance(server.hostPort(), mib);
    figures.add(new Figure("net.hostToInstance", "throughput host to instance (published port)", mib / s, "MiB/s",
        "a Java socket on the host sends " + mib + " MiB to 127.0.0.1:" + server.hostPort() + " (published port "
            + Instances.SERVER_PORT + ") and waits for the server's count; loopback only", 1));
  }

  private double hostToInstance(int port, int mib) throws Exception {
    byte[] chunk = new byte[65536];
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout((int) timeout.toMillis());
      long t0 = System.nanoTime();
      OutputStream out = socket.getOutputStream();
      for (int i = 0; i < mib * 16; i++) {
        out.write(chunk);
      }
      out.flush();
      socket.shutdownOutput();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      in.transferTo(answer);
      double seconds = (System.nanoTime() - t0) / 1e9;
      String count = answer.toString(StandardCharsets.US_ASCII).strip();
      if (!count.equals(Long.toString(mib * (long) MIB))) {
        throw new IllegalStateException("host to instance: the server counted \"" + count + "\" bytes, not "
            + (mib * (long) MIB));
      }
      return seconds;
    }
  }

  private void density() throws Exception {
    List<Instances.Instance> started = new ArrayList<>();
    long t0 = System.nanoTime();
    long deadline = t0 + budgets.densityTime().toNanos();
    long budgetBytes = budgets.densityMemoryMib() * (long) MIB;
    long total = 0;
    String stoppedBy = "the cap of " + budgets.densityCap() + " instances";
    try {
      while (started.size() < budgets.densityCap()) {
        if (System.nanoTime() >= deadline) {
          stoppedBy = "the time budget";
          break;
        }
        Instances.Instance i = instances.startIdle(Scripts.IDLE, false, timeout);
        long cost = Pss.sum(instances.pids(i));
        if (total + cost > budgetBytes) {
          instances.remove(i);
          stoppedBy = "the memory budget";
          break;
        }
        started.add(i);
        total += cost;
      }
    } finally {
      removeAll(started);
    }
    if (started.isEmpty()) {
      throw new IllegalStateException("not one instance started within the budgets (stopped by " + stoppedBy + ")");
    }
    figures.add(new Figure("density.instances", "idle instances within the budgets", started.size(), "instances",
        "idle instances (`sleep`) started one after another, each begun before " + budgets.densityTime().toSeconds()
            + " s had passed and counted once ready, until the next would pass " + budgets.densityMemoryMib()
            + " MiB of summed PSS, at most " + budgets.densityCap()
            + "; stopped by " + stoppedBy + "; they held " + fmt(total / MIB) + " MiB", 1));
  }

  private void removeAll(List<Instances.Instance> started) {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) { // close waits for every removal
      started.forEach(i -> pool.submit(() -> instances.remove(i)));
    }
  }

  static String fmt(double d) {
    return String.format(Locale.ROOT, d >= 100 ? "%.0f" : d >= 10 ? "%.1f" : "%.3f", d);
  }
}
