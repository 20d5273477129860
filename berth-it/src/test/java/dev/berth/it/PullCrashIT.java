package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.ThrottledProxy;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGKILL of berthd in the middle of a pull: no blob under a wrong name, and the pull completes after. */
@Tag("integration")
class PullCrashIT {
  @TempDir
  Path dir;

  @Test
  void aPullCutByACrashLeavesOnlyVerifiedBlobsAndCompletesAfterRestart() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"))) {
      BusyboxImage.Layout layout = BusyboxImage.writeOciLayout(dir.resolve("layout"), "big", 2, 24L << 20);
      layout.pushTo(registry.host() + "/test/big:latest");
      // 8 MB/s: the 48 MB of random layers take seconds, so the kill lands mid-download.
      try (ThrottledProxy proxy = ThrottledProxy.start("127.0.0.1", registry.port(), 8L << 20)) {
        String name = proxy.host() + "/test/big:latest";
        Path blobs = dir.resolve("berthd/data/content/blobs/sha256");
        BerthdProcess first = BerthdProcess.start(dir.resolve("berthd"));
        Process pull = new ProcessBuilder(Commands.berthCommand(first.host(), "pull", name))
            .redirectErrorStream(true).redirectOutput(dir.resolve("pull1.log").toFile()).start();
        try {
          awaitPartialBlob(blobs, Duration.ofSeconds(60));
          first.kill();
        } finally {
          first.close();
          pull.waitFor(30, TimeUnit.SECONDS);
          pull.destroyForcibly();
        }
        assertThat(pull.exitValue()).isNotZero();
        assertEveryBlobMatchesItsName(blobs);

        try (BerthdProcess second = BerthdProcess.start(dir.resolve("berthd"))) {
          ProcessResult again = Commands.berth(second.host(), "pull", name);
          assertThat(again.exitCode()).as(again.toString()).isZero();
          assertThat(Commands.berth(second.host(), "image", "inspect", name, "-f", "{{.Id}}").stdout().strip())
              .isEqualTo(layout.configDigest());
          assertEveryBlobMatchesItsName(blobs);
          try (Stream<Path> files = Files.list(blobs)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
          }
        }
      }
    }
  }

  /** Waits until a blob is being written (a temp file past 1 MiB). */
  private static void awaitPartialBlob(Path blobs, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.isDirectory(blobs)) {
        try (Stream<Path> files = Files.list(blobs)) {
          if (files.anyMatch(p -> p.getFileName().toString().contains(".tmp-") && size(p) > (1 << 20))) {
            return;
          }
        }
      }
      Thread.sleep(10); // polling interval; the deadline bounds the wait
    }
    throw new AssertionError("no partial blob appeared within " + timeout);
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException gone) {
      return 0;
    }
  }

  private static void assertEveryBlobMatchesItsName(Path blobs) throws Exception {
    try (Stream<Path> files = Files.list(blobs)) {
      for (Path blob : files.filter(p -> !p.getFileName().toString().contains(".tmp-")).toList()) {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(blob), sha)) {
          in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        assertThat(HexFormat.of().formatHex(sha.digest())).as("blob " + blob).isEqualTo(blob.getFileName().toString());
      }
    }
  }
}
