package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak of issue 18 item 7, two minutes long: benchmarks/soak.sh's workload (16 curl clients
 * looping create → start → exec → inspect → logs → rm) against this test's own berthd
 * ({@code DAEMON=attach}), so the workload is defined once, in the script. The script samples
 * berthd's RSS and fds every 5 s; this test judges the samples after a 30 s warm-up, split in
 * two halves (single samples jump with GC and with the requests in flight, see decision 1850):
 * <ul>
 *   <li>no request failed (every status as dockerd answers it, outputs checked);
 *   <li>fds flat: the second half's mean at most {@value #FD_SLACK} above the first half's — one
 *       in-flight connection per client, nothing that accumulates per cycle;
 *   <li>no leak on the heap: the script forces a full GC every 15 s after the warm-up and
 *       records what survives it; the last such live heap at most {@value #HEAP_GROWTH_MB} MB
 *       above the first. This is the leak check: a cycle's state kept (~2 cycles/s here) adds
 *       MBs within 90 s, while the 16 containers in flight at any moment move it by well under one;
 *   <li>RSS bounded: the second half's mean at most {@value #RSS_GROWTH_PERCENT} % above the
 *       first half's — a coarse bound for memory outside the heap. RSS follows the heap's size,
 *       which the serial heap (bin/berthd: -Xms8m) still grows in the first minutes without
 *       holding more (CI once saw +10.3 % with a flat load), so it is not the leak check
 *       (decision 2900).
 * </ul>
 * The script removes its containers, and the daemon is stopped in {@link #stopAll}, also when
 * the soak fails; conmons and mounts left under the temp dir are removed last.
 */
@Tag("integration")
class SoakIT {
  private static final int CLIENTS = 16;
  private static final int MINUTES = 2;
  private static final int WARMUP_SECONDS = 30;
  private static final int FD_SLACK = CLIENTS;
  private static final int RSS_GROWTH_PERCENT = 25;
  private static final int HEAP_GROWTH_MB = 4;

  @TempDir
  static Path dir;

  static BerthdProcess daemon;

  @BeforeAll
  static void startDaemon() {
    daemon = BerthdProcess.start(dir.resolve("berthd"));
  }

  @AfterAll
  static void stopAll() {
    try {
      if (daemon != null && daemon.isAlive()) {
        for (String id : Commands.berth(daemon.host(), "ps", "-aq", "--no-trunc").stdout().lines()
            .filter(l -> !l.isBlank()).toList()) {
          Commands.berth(daemon.host(), "rm", "-f", id);
        }
        daemon.stop();
      }
    } finally {
      if (daemon != null) {
        daemon.close();
      }
      Leftovers.removeUnder(dir);
    }
  }

  @Test
  void sixteenClientsForTwoMinutesWithoutErrorsOrGrowth() throws IOException {
    Path results = dir.resolve("results");
    ProcessResult run = Commands.run(List.of(Repo.root().resolve("benchmarks/soak.sh").toString()),
        Map.ofEntries(Map.entry("DAEMON", "attach"), Map.entry("ATTACH_SOCKET", daemon.socket().toString()),
            Map.entry("ATTACH_PID", Long.toString(daemon.pid())), Map.entry("ATTACH_EXEC_ROOT", daemon.execRoot().toString()),
            Map.entry("MINUTES", Integer.toString(MINUTES)), Map.entry("CLIENTS", Integer.toString(CLIENTS)),
            Map.entry("WARMUP", Integer.toString(WARMUP_SECONDS)), Map.entry("RSS_TOL", Integer.toString(RSS_GROWTH_PERCENT)),
            Map.entry("FD_TOL", "0"), Map.entry("HEAP_TOL", Integer.toString(HEAP_GROWTH_MB)),
            Map.entry("RESULTS", results.toString())),
        Duration.ofMinutes(MINUTES + 3));
    System.out.println(run.stdout());
    System.out.println(run.stderr());

    assertThat(Files.readString(results.resolve("errors"))).as("failed requests").isEmpty();
    List<long[]> afterWarmUp = Files.readAllLines(results.resolve("samples")).stream()
        .map(l -> l.trim().split(" ")).map(f -> new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])})
        .filter(s -> s[0] >= WARMUP_SECONDS).toList();
    assertThat(afterWarmUp).as("samples after the warm-up").hasSizeGreaterThanOrEqualTo(8);
    int half = afterWarmUp.size() / 2;
    List<long[]> first = afterWarmUp.subList(0, half);
    List<long[]> second = afterWarmUp.subList(half, afterWarmUp.size());
    double rss1 = mean(first, 1) / 1024;
    double rss2 = mean(second, 1) / 1024;
    double fd1 = mean(first, 2);
    double fd2 = mean(second, 2);
    System.out.printf("SoakIT after %d s of warm-up: mean RSS %.1f MB (%d-%d s) -> %.1f MB (%d-%d s), %+.1f %%;"
            + " mean fds %.1f -> %.1f; fds min/max %d/%d%n", WARMUP_SECONDS, rss1, first.getFirst()[0],
        first.getLast()[0], rss2, second.getFirst()[0], second.getLast()[0], (rss2 - rss1) * 100 / rss1, fd1, fd2,
        afterWarmUp.stream().mapToLong(s -> s[2]).min().orElseThrow(),
        afterWarmUp.stream().mapToLong(s -> s[2]).max().orElseThrow());

    List<long[]> heap = Files.readAllLines(results.resolve("heap")).stream()
        .map(l -> l.trim().split(" ")).map(f -> new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])}).toList();
    assertThat(heap).as("live-heap samples after the warm-up (the JDK's jcmd)").hasSizeGreaterThanOrEqualTo(3);
    double heapGrowthMb = (heap.getLast()[1] - heap.getFirst()[1]) / 1024.0;
    System.out.printf("SoakIT live heap after a full GC: %.1f MB (%d s) -> %.1f MB (%d s), %+.1f MB%n",
        heap.getFirst()[1] / 1024.0, heap.getFirst()[0], heap.getLast()[1] / 1024.0, heap.getLast()[0], heapGrowthMb);

    assertThat(heapGrowthMb).as("live heap growth in MB, last sample vs first").isLessThanOrEqualTo(HEAP_GROWTH_MB);
    assertThat(fd2).as("mean fds in the second half vs the first (+%d slack)", FD_SLACK).isLessThanOrEqualTo(fd1 + FD_SLACK);
    assertThat(rss2).as("mean RSS MB in the second half vs the first (+%d %%)", RSS_GROWTH_PERCENT)
        .isLessThanOrEqualTo(rss1 * (1 + RSS_GROWTH_PERCENT / 100.0));
    assertThat(run.stdout()).as("nothing left behind").contains("left behind: 0 containers, 0 conmon processes");
    assertThat(run.exitCode()).as("the script's verdict").isZero();
  }

  private static double mean(List<long[]> samples, int column) {
    return samples.stream().mapToLong(s -> s[column]).average().orElseThrow();
  }
}
