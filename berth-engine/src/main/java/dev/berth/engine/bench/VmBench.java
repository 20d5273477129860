package dev.berth.engine.bench;

import dev.berth.engine.vm.Vm;
import dev.berth.engine.vm.VmService;
import dev.berth.engine.vm.VmSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The full-VM row: a QEMU VM booted from the user's disk image (an overlay over it: the image is
 * not changed) through {@link VmService}. A VM runs no command Berth can time or exec into, so only
 * what the host sees is measured: time to the first byte and to a login prompt on the serial
 * console, and QEMU's PSS once the console is quiet.
 */
final class VmBench {
  private static final Duration POLL = Duration.ofMillis(20);

  private final VmService vms;
  private final Path image;
  private final String accel;
  private final String runId;
  private final int runs;
  private final Duration bootTimeout;
  private final Consumer<String> progress;

  VmBench(VmService vms, Path image, String accel, String runId, boolean quick, int runs, Consumer<String> progress) {
    this.vms = vms;
    this.image = image;
    this.accel = accel;
    this.runId = runId;
    this.runs = runs > 0 ? Math.min(runs, 5) : quick ? 1 : 3;
    this.bootTimeout = accel.equals("tcg") ? Duration.ofMinutes(5) : Duration.ofMinutes(2);
    this.progress = progress;
  }

  KindResult run(String label) {
    if (!Files.isRegularFile(image)) {
      return KindResult.skipped("vm", label, "no such disk image: " + image);
    }
    List<Double> first = new ArrayList<>();
    List<Double> login = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<Figure> figures = new ArrayList<>();
    double pssMib = -1;
    for (int i = 1; i <= runs; i++) {
      progress.accept("boot " + i + " of " + runs + " from " + image.getFileName() + " (" + accel + ")");
      Vm vm = null;
      try {
        long t0 = System.nanoTime();
        vm = vms.create(new VmSpec("bench-" + runId + "-vm-" + i, 1, "512m", null, image.toString(), null, null, null,
            null, List.of(), accel));
        vm = vms.start(vm.id());
        long deadline = t0 + bootTimeout.toNanos();
        long firstAt = awaitLog(vm.serialLog(), null, deadline);
        first.add((firstAt - t0) / 1e6);
        long loginAt = awaitLog(vm.serialLog(), "login:", deadline);
        if (loginAt > 0) {
          login.add((loginAt - t0) / 1e6);
        }
        if (pssMib < 0) {
          awaitQuiet(vm.serialLog(), Duration.ofSeconds(3), deadline);
          pssMib = Pss.of(vms.inspect(vm.id()).state().pid()) / (1024.0 * 1024.0);
        }
      } catch (Exception e) {
        notes.add("boot " + i + ": failed: " + e.getMessage());
      } finally {
        if (vm != null) {
          try {
            vms.remove(vm.id(), true);
          } catch (RuntimeException e) {
            notes.add("removing VM " + vm.shortId() + ": " + e.getMessage());
          }
        }
      }
    }
    String how = "VmService.create (a qcow2 overlay over " + image + ", 1 CPU, 512 MiB, accel " + accel + ") and start;"
        + " the clock starts before create; the serial console's log is polled every " + POLL.toMillis() + " ms; "
        + runs + " run(s), no warm-up";
    if (!first.isEmpty()) {
      figures.add(new Figure("start.firstOutput.median", "create to first serial output, median", Stats.median(first),
          "ms", how + "; stops at the console's first byte (firmware or kernel)", first.size()));
      figures.add(new Figure("start.firstOutput.p90", "create to first serial output, p90", Stats.p90(first), "ms",
          how + "; stops at the console's first byte (firmware or kernel)", first.size()));
    }
    if (!login.isEmpty()) {
      figures.add(new Figure("start.login.median", "create to a login prompt, median", Stats.median(login), "ms",
          how + "; stops when \"login:\" appears on the serial console", login.size()));
    } else if (!first.isEmpty()) {
      notes.add("start.login: no \"login:\" on the serial console within " + bootTimeout.toMinutes() + " min");
    }
    if (pssMib > 0) {
      figures.add(new Figure("memory.pss", "host memory of one booted VM", pssMib, "MiB", "Pss in /proc/PID/smaps_rollup"
          + " of the QEMU process, once its serial console had been quiet for 3 s after boot", 1));
    }
    notes.add("not measured for a full VM: exit time, density, workload ratios, network and isolation facts"
        + " (Berth has no agent inside a disk image it did not make)");
    String status = figures.isEmpty() ? "failed" : "partial";
    KindResult draft = new KindResult("vm", label, status, figures.isEmpty() ? notes.getFirst() : "", figures, null,
        notes, "");
    return new KindResult("vm", label, status, draft.reason(), figures, null, notes, Verdicts.of(draft));
  }

  /** When the log first held {@code text} (any byte when null), in System.nanoTime terms; -1 past the deadline. */
  private static long awaitLog(Path log, String text, long deadline) throws IOException, InterruptedException {
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && (text == null ? Files.size(log) > 0
          : new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1).contains(text))) {
        return System.nanoTime();
      }
      Thread.sleep(POLL); // polling the console log; the deadline bounds it
    }
    if (text == null) {
      throw new IllegalStateException("no serial output within the boot timeout");
    }
    return -1;
  }

  private static void awaitQuiet(Path log, Duration quiet, long deadline) throws IOException, InterruptedException {
    long size = -1;
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = Files.exists(log) ? Files.size(log) : 0;
      if (now != size) {
        size = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since >= quiet.toNanos()) {
        return;
      }
      Thread.sleep(POLL);
    }
  }
}
