package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.BusyboxDaemon;
import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up most integration test classes share: one registry with the test busybox and one
 * berthd that pulled it, for the whole class ({@link BusyboxDaemon}). The fields are the running
 * class's: JUnit runs the classes one after another, each with its own temp dir.
 */
abstract class BusyboxDaemonTest {
  @TempDir
  static Path dir;

  static BusyboxDaemon env;
  /** The daemon that runs now; a test that restarts it assigns {@code env.startAgain()} here. */
  static BerthdProcess daemon;
  static String image;

  @BeforeAll
  static void startDaemonWithBusybox() {
    env = BusyboxDaemon.start(dir);
    daemon = env.daemon();
    image = env.image();
  }

  @AfterAll
  static void stopDaemonAndRegistry() {
    if (env != null) {
      env.close();
    }
  }

  static ProcessResult berth(String... args) {
    return Commands.berth(daemon.host(), args);
  }

  static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }
}
