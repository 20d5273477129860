package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of berthd at random moments of a pull, a commit, a load and a create/start/rm, then a
 * restart on the same roots: the database passes SQLite's integrity check, every image row's
 * config blob and layers exist, no temp file survives the restart's clean-up, {@code images} and
 * {@code ps -a} answer, and the interrupted operation succeeds when repeated.
 *
 * <p>Rounds: {@code -Dberth.crash.rounds}. The issue asks for 50; a round costs a berthd start
 * (2 s on an idle host, 10-15 s on the shared 2-core machine under load), so the default is the
 * 8 that fit in about 3 minutes there; run 50 with {@code -Dberth.crash.rounds=50}. The
 * operations take turns; the kill moments come from {@code -Dberth.crash.seed} (printed, so a
 * failing round can be replayed).
 */
@Tag("integration")
class CrashConsistencyIT {
  private static final int ROUNDS = Integer.getInteger("berth.crash.rounds", 8);
  private static final long SEED = Long.getLong("berth.crash.seed", System.nanoTime());
  /** The kill lands up to this long after the client started (its own start-up included). */
  private static final int MAX_DELAY_MILLIS = 1500;

  enum Operation { PULL, COMMIT, LOAD, LIFECYCLE }

  @TempDir
  Path dir;

  private BerthdProcess daemon;
  private String busybox;
  private String big;
  private Path archive;

  @Test
  void killedAtRandomMomentsBerthdRestartsConsistentAndTheOperationSucceedsWhenRepeated() throws Exception {
    System.out.println("CrashConsistencyIT: " + ROUNDS + " rounds, -Dberth.crash.seed=" + SEED);
    Random random = new Random(SEED);
    Path base = dir.resolve("berthd");
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"))) {
      busybox = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest").pushTo(registry.host() + "/test/busybox:latest");
      big = BusyboxImage.writeOciLayout(dir.resolve("big-layout"), "big", 2, 4L << 20)
          .pushTo(registry.host() + "/test/big:latest");
      daemon = BerthdProcess.start(base);
      ok(berth("pull", "-q", busybox));
      ok(berth("run", "--name", "keeper", busybox, "sh", "-c", "echo changed > /changed"));
      ok(berth("pull", "-q", big));
      archive = dir.resolve("big.tar");
      ok(berth("save", "-o", archive.toString(), big));

      List<String> summary = new ArrayList<>();
      long started = System.nanoTime();
      for (int round = 0; round < ROUNDS; round++) {
        Operation op = Operation.values()[round % Operation.values().length];
        int delay = random.nextInt(MAX_DELAY_MILLIS);
        String label = "round " + round + " (" + op + ", kill after " + delay + " ms, seed " + SEED + ")";
        prepare(op, round);
        Path clientLog = dir.resolve("client-" + round + ".log");
        Process client = new ProcessBuilder("sh", "-c", script(op, round)).redirectErrorStream(true)
            .redirectOutput(clientLog.toFile()).start();
        try {
          Thread.sleep(delay); // the random moment is the point of the test, not a wait for a condition
          daemon.kill();
        } finally {
          if (!client.waitFor(60, TimeUnit.SECONDS)) {
            client.destroyForcibly().waitFor();
          }
        }
        assertThat(sqlite("PRAGMA integrity_check;")).as(label + ": integrity_check").isEqualTo("ok");

        daemon = BerthdProcess.start(base);
        assertConsistent(label);
        finishAgain(op, round, label);
        summary.add(op + "@" + delay + "ms:" + (client.exitValue() == 0 ? "done" : "cut"));
      }
      System.out.println("CrashConsistencyIT: " + ROUNDS + " rounds in " + (System.nanoTime() - started) / 1_000_000_000
          + " s: " + summary);
      ok(berth("rm", "-f", "keeper"));
      daemon.stop();
    } finally {
      if (daemon != null) {
        daemon.close();
      }
      Leftovers.removeUnder(dir);
    }
  }

  /** Makes the operation do real work: the image it writes is not there before. */
  private void prepare(Operation op, int round) {
    switch (op) {
      case PULL, LOAD -> berth("rmi", "-f", big); // may be absent already
      case COMMIT, LIFECYCLE -> { }
    }
  }

  private String script(Operation op, int round) {
    String b = String.join(" ", Commands.berthCommand(daemon.host()));
    return switch (op) {
      case PULL -> b + " pull -q " + big;
      case COMMIT -> b + " commit keeper test/commit:" + round;
      case LOAD -> b + " load -q -i " + archive;
      case LIFECYCLE -> b + " create --name life-" + round + " " + busybox + " true && " + b + " start life-" + round
          + " && " + b + " rm -f life-" + round;
    };
  }

  /** Repeats the cut operation; it must succeed now. */
  private void finishAgain(Operation op, int round, String label) {
    switch (op) {
      case PULL -> ok(label, berth("pull", "-q", big));
      case COMMIT -> {
        ok(label, berth("commit", "keeper", "test/commit:" + round));
        ok(label, berth("rmi", "test/commit:" + round));
      }
      case LOAD -> ok(label, berth("load", "-q", "-i", archive.toString()));
      case LIFECYCLE -> {
        ProcessResult rm = berth("rm", "-f", "life-" + round);
        assertThat(rm.exitCode() == 0 || (rm.stdout() + rm.stderr()).contains("No such container"))
            .as(label + ": rm -f of what the crash left: " + rm).isTrue();
        ok(label, berth("create", "--name", "life-" + round, busybox, "true"));
        ok(label, berth("start", "life-" + round));
        ok(label, berth("rm", "-f", "life-" + round));
      }
    }
  }

  private void assertConsistent(String label) throws IOException {
    Path data = daemon.dataRoot();
    assertThat(tempEntries(data.resolve("content/blobs/sha256"))).as(label + ": temp blobs").isEmpty();
    assertThat(tempEntries(data.resolve("layers"))).as(label + ": temp layer dirs").isEmpty();
    assertThat(tempEntries(data.resolve("tmp"))).as(label + ": scratch").isEmpty();
    for (String row : sqlite("SELECT id FROM images;").lines().filter(l -> !l.isBlank()).toList()) {
      assertThat(data.resolve("content/blobs/sha256/" + hex(row))).as(label + ": config blob of image " + row).isRegularFile();
    }
    for (String row : sqlite("SELECT image_id || ' ' || chain_id FROM image_layers;").lines().filter(l -> !l.isBlank()).toList()) {
      String chain = row.split(" ")[1];
      assertThat(data.resolve("layers/" + hex(chain))).as(label + ": layer of image row " + row).isDirectory();
    }
    ok(label, berth("images"));
    ok(label, berth("ps", "-a"));
  }

  private static String hex(String digest) {
    return digest.substring(digest.indexOf(':') + 1);
  }

  private static List<String> tempEntries(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-") || n.startsWith("load-")
          || n.startsWith("import-")).toList();
    }
  }

  /** The sqlite3 shell on the daemon's database (while berthd is down, or beside it: WAL readers do not block). */
  private String sqlite(String sql) {
    ProcessResult r = Commands.run(List.of("sqlite3", daemon.dataRoot().resolve("berth.db").toString(), sql),
        Duration.ofSeconds(30));
    assertThat(r.exitCode()).as("sqlite3 " + sql + ": " + r).isZero();
    return r.stdout().strip();
  }

  private ProcessResult berth(String... args) {
    return Commands.berth(daemon.host(), args);
  }

  private static ProcessResult ok(ProcessResult r) {
    return ok("", r);
  }

  private static ProcessResult ok(String label, ProcessResult r) {
    assertThat(r.exitCode()).as(label + ": " + r).isZero();
    return r;
  }
}
