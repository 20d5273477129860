package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon on long data-root and exec-root paths. conmon's attach link, {@code <exec-root>/attach/<id>},
 * then no longer fits a socket address and conmon cuts its name short; berthd must still find it,
 * or an attached run loses its output.
 */
@Tag("integration")
class LongPathsIT {
  @TempDir Path dir;

  /** conmon's link for container {@code id}: {@code <exec-root>/attach/<id>}, or its name cut short. */
  private static String linkName(Path execRoot) throws Exception {
    try (var links = Files.list(execRoot.resolve("attach"))) {
      return links.findFirst().orElseThrow().getFileName().toString();
    }
  }

  private static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  @Test
  void attachedRunsAndExecsKeepTheirOutput() throws Exception {
    // <base>/exec/attach/<64-char id> is 107 characters: one more than conmon keeps (seen with
    // conmon 2.1 under a JUnit temp dir), so conmon names its link with the id cut short.
    Path top = Files.createTempDirectory(Path.of("/tmp"), "b"); // JUnit's temp dirs are longer
    Path base = Files.createDirectories(top.resolve("x".repeat(30 - top.toString().length() - 1)));
    assertThat(base.resolve("exec/attach").toString()).hasSize(42);
    Path rootfs = Files.createDirectories(dir.resolve("rootfs/bin"));
    Files.copy(Path.of("/bin/busybox"), rootfs.resolve("busybox"));
    for (String applet : List.of("sh", "echo", "sleep")) {
      Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
    }
    ok(Commands.run(List.of("tar", "-C", dir.resolve("rootfs").toString(), "-cf", dir.resolve("image.tar").toString(),
        "."), Duration.ofSeconds(30)));
    // The API socket itself must fit a socket address: it lives elsewhere.
    try (BerthdProcess daemon = BerthdProcess.start(base.resolve("data"), base.resolve("exec"), dir.resolve("b.sock"),
        base)) {
      ok(Commands.berth(daemon.host(), "import", dir.resolve("image.tar").toString(), "long:1"));
      for (int i = 0; i < 3; i++) {
        assertThat(ok(Commands.berth(daemon.host(), "run", "--rm", "--network", "none", "long:1", "echo", "hi" + i))
            .stdout()).isEqualTo("hi" + i + "\n");
      }
      String id = ok(Commands.berth(daemon.host(), "run", "-d", "--name", "idle", "--network", "none", "long:1", "sleep",
          "300")).stdout().strip();
      assertThat(id).startsWith(linkName(base.resolve("exec"))).isNotEqualTo(linkName(base.resolve("exec")));
      assertThat(ok(Commands.berth(daemon.host(), "exec", "idle", "echo", "inside")).stdout()).isEqualTo("inside\n");
      ok(Commands.berth(daemon.host(), "rm", "-f", "idle"));
      // The runtime's part of a removal (conmon's end, its link) finishes just after it.
      assertThat(Poll.until(Duration.ofSeconds(10), () -> {
        try (var links = Files.list(base.resolve("exec/attach"))) {
          return links.findAny().isEmpty();
        } catch (java.io.IOException e) {
          return false;
        }
      })).as("conmon's links are removed with their containers").isTrue();
    } finally {
      Commands.run(List.of("rm", "-rf", top.toString()), Duration.ofMinutes(1));
    }
  }
}
