package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -G/--group: the socket's group, made for the test with groupadd and removed after. */
@Tag("integration")
class SocketGroupIT {
  @TempDir
  Path dir;

  @Test
  void theSocketBelongsToTheNamedGroupWithMode0660() {
    String group = "bt" + Long.toHexString(System.nanoTime() & 0xffffffL);
    ProcessResult add = Commands.run(List.of("groupadd", group), Duration.ofSeconds(30));
    assertThat(add.exitCode()).as(add.toString()).isZero();
    try (BerthdProcess d = BerthdProcess.start(dir.resolve("d"), List.of("-G", group))) {
      PosixFileAttributes attributes = Files.readAttributes(d.socket(), PosixFileAttributes.class,
          java.nio.file.LinkOption.NOFOLLOW_LINKS);
      assertThat(attributes.group().getName()).isEqualTo(group);
      assertThat(attributes.owner().getName()).isEqualTo("root");
      assertThat(PosixFilePermissions.toString(attributes.permissions())).isEqualTo("rw-rw----");
      assertThat(Commands.berth(d.host(), "version").exitCode()).isZero();
      // the CRI socket (on by default, in the exec-root) is bound the same way: mode and group from the start
      Path criSocket = d.execRoot().resolve("cri.sock");
      assertThat(dev.berth.testkit.Poll.until(Duration.ofSeconds(30), () -> Files.exists(criSocket))).isTrue();
      PosixFileAttributes cri = Files.readAttributes(criSocket, PosixFileAttributes.class,
          java.nio.file.LinkOption.NOFOLLOW_LINKS);
      assertThat(cri.isOther()).as("a socket").isTrue();
      assertThat(cri.group().getName()).isEqualTo(group);
      assertThat(PosixFilePermissions.toString(cri.permissions())).isEqualTo("rw-rw----");
      assertThat(d.execRoot().resolve("cri.soc~")).doesNotExist();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      Commands.run(List.of("groupdel", group), Duration.ofSeconds(30));
    }
  }

  @Test
  void aNamedGroupThatDoesNotExistStopsTheStart() {
    Path base = dir.resolve("missing");
    try (BerthdProcess d = BerthdProcess.launch(base.resolve("data"), base.resolve("exec"),
        base.resolve("exec/berth.sock"), base, List.of("--group", "no-such-group-bt"))) {
      assertThat(d.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
      assertThat(d.log()).contains("group no-such-group-bt (-G/--group) does not exist; create it");
      assertThat(base.resolve("exec/berth.sock")).doesNotExist();
    }
  }
}
