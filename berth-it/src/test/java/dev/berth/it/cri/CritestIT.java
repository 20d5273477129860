package dev.berth.it.cri;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.Commands;
import dev.berth.testkit.CriDaemon;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance run of issue 15: critest (cri-tools v1.32, the CRI validation suite) against a
 * real berthd serving the CRI, with registry.k8s.io and gcr.io mirrored to a loopback registry
 * that critest-images.py filled with stand-ins for every image critest pulls. Asserts the number
 * of passed specs is at least the floor measured on this kind of machine; critest's whole output
 * and its JUnit report go to target/critest/ (the specs that fail or are skipped, with reasons, are
 * listed in docs/compatibility.md).
 */
@Tag("integration")
class CritestIT {
  /**
   * Measured: 91 passed of 93 run (20 skipped), 2026-12-07 with the log reopen and privileged
   * seccomp fixes, recursive read-only mounts and the supplemental-groups policy (containerd 1.6
   * passes 83 on this host). The floor is one below, for a flaky spec on a loaded machine; raise it
   * as specs are fixed.
   */
  static final int PASSED_FLOOR = 90;
  private static final Pattern SUMMARY =
      Pattern.compile("(\\d+) Passed \\| (\\d+) Failed \\| (\\d+) Pending \\| (\\d+) Skipped");

  @TempDir
  Path dir;

  @Test
  void critestPassesAtLeastTheMeasuredFloor() throws Exception {
    Assumptions.assumeTrue(CriDaemon.findTools().filter(t -> Files.isExecutable(t.resolve("critest"))).isPresent(),
        "no cri-tools (critest): set BERTH_CRI_TOOLS or -Dberth.cri.tools to the directory holding critest");
    Assumptions.assumeTrue(CriDaemon.berthdHasFlag("--registry-mirror"),
        "this berthd has no --registry-mirror yet (critest needs registry.k8s.io and gcr.io mirrored)");
    Path out = Repo.root().resolve("berth-it/target/critest");
    Files.createDirectories(out);
    try (CriDaemon cri = CriDaemon.start(dir.resolve("cri"), true, true, List.of())) {
      List<String> cmd = new ArrayList<>(List.of(cri.tools().resolve("critest").toString(),
          "--config", cri.emptyConfig().toString(), "--runtime-endpoint", cri.endpoint(), "--image-endpoint", cri.endpoint(),
          "--ginkgo.no-color", "--ginkgo.junit-report=" + out.resolve("critest-junit.xml")));
      String focus = System.getProperty("berth.critest.focus", "");
      if (!focus.isBlank()) {
        cmd.add("--ginkgo.focus=" + focus);
      }
      Instant started = Instant.now();
      ProcessResult run = Commands.run(cmd, Duration.ofMinutes(20));
      Duration took = Duration.between(started, Instant.now());
      String output = run.stdout() + "\n--- stderr ---\n" + run.stderr();
      Files.writeString(out.resolve("critest-output.txt"), output);
      Files.writeString(out.resolve("berthd.log"), cri.daemon().log());
      Matcher m = SUMMARY.matcher(run.stdout());
      assertThat(m.find()).as("critest's summary line in:\n%s", tail(output)).isTrue();
      int passed = Integer.parseInt(m.group(1));
      int failed = Integer.parseInt(m.group(2));
      int skipped = Integer.parseInt(m.group(4));
      System.out.printf("critest: %d passed, %d failed, %d skipped in %d s%n", passed, failed, skipped,
          took.toSeconds());
      assertThat(passed).as("critest passed specs (failed %d, skipped %d; output in %s):\n%s", failed, skipped,
          out, failures(run.stdout())).isGreaterThanOrEqualTo(PASSED_FLOOR);
    }
  }

  /** The "Summarizing N Failures" block critest prints at its end. */
  private static String failures(String stdout) {
    int at = stdout.indexOf("Summarizing");
    return at < 0 ? "" : stdout.substring(at, Math.min(stdout.length(), at + 8000));
  }

  private static String tail(String s) {
    return s.length() > 8000 ? s.substring(s.length() - 8000) : s;
  }
}
