package dev.berth.it.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BusyboxDaemon;
import dev.berth.testkit.DockerdProcess;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The differential harness: every call of {@link Calls} goes to a test berthd and to a real
 * dockerd 20.10 (both with the test busybox from one local registry), and their answers must
 * agree (status, JSON keys and value types, error messages, chosen values and headers) except
 * for the known differences of {@link KnownDifferences}, each with its reason. The full report
 * (every call, every difference, known or not) goes to target/differential-report.txt.
 */
@Tag("integration")
class DifferentialIT {
  @TempDir
  static Path dir;

  static BusyboxDaemon berth;
  static DockerdProcess dockerd;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(DockerdProcess.available(), "dockerd is not installed: apt-get install docker.io");
    berth = BusyboxDaemon.start(dir.resolve("berth"));
    dockerd = DockerdProcess.start(dir.resolve("dockerd"));
    ProcessResult pulled = dockerd.docker("pull", "-q", berth.image());
    assertThat(pulled.exitCode()).as(pulled.toString()).isZero();
  }

  @AfterAll
  static void stop() {
    try {
      if (dockerd != null) {
        // containers first: their shims would outlive dockerd
        for (String id : dockerd.docker("ps", "-aq").stdout().lines().filter(l -> !l.isBlank()).toList()) {
          dockerd.docker("rm", "-f", id);
        }
        dockerd.docker("network", "prune", "-f");
        dockerd.docker("volume", "prune", "-f");
        dockerd.close();
      }
    } finally {
      if (berth != null) {
        berth.close();
      }
    }
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void berthAnswersAsDockerdDoes() throws IOException {
    List<Call> calls = Calls.all();
    int third = 16 + Math.floorMod(dir.toString().hashCode(), 200);
    Harness harness = new Harness(berth.daemon().socket(), dir.resolve("dockerd/d.sock"),
        Map.of("image", berth.image(), "registry", berth.registry().host(), "subnet", "172.31." + third + ".0/24"),
        KnownDifferences.ALL);
    List<Harness.Outcome> outcomes = harness.run(calls);

    StringBuilder report = new StringBuilder();
    List<String> unexplained = new ArrayList<>();
    for (Harness.Outcome o : outcomes) {
      report.append(o.call().name).append(": berth ").append(o.berth().status()).append(", dockerd ")
          .append(o.dockerd().status()).append('\n');
      o.known().forEach((d, k) -> report.append("  known: ").append(d).append("\n    (").append(k.reason()).append(")\n"));
      for (var d : o.unexplained()) {
        report.append("  DIFFERENT: ").append(d).append('\n');
        unexplained.add(d.toString());
      }
    }
    harness.unused().forEach(k -> report.append("unused known difference: ").append(k.where()).append('\n'));
    Path out = Path.of("target", "differential-report.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);

    assertThat(outcomes).hasSameSizeAs(calls);
    assertThat(unexplained).as("differences from dockerd 20.10 (full report: %s)", out.toAbsolutePath()).isEmpty();
  }
}
