package dev.berth.engine.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Container paths resolve inside the rootfs whatever links it holds, as in a chroot. */
class RootfsPathTest {
  @TempDir Path tmp;
  Path root;

  @BeforeEach
  void rootfs() throws IOException {
    root = Files.createDirectories(tmp.resolve("rootfs"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
    Files.createDirectories(root.resolve("usr/bin"));
    Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
    // Links a careless resolver would follow out of the rootfs into the host.
    Files.createSymbolicLink(root.resolve("abs"), Path.of("/etc"));
    Files.createSymbolicLink(root.resolve("up"), Path.of("../../../../../../etc/passwd"));
    Files.createSymbolicLink(root.resolve("usr/bin/deep"), Path.of("../../.."));
    Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
  }

  @Test
  void anAbsoluteLinkResolvesFromTheRootfsNotTheHost() throws IOException {
    assertThat(RootfsPath.resolve(root, "/abs/passwd", true)).isEqualTo(root.resolve("etc/passwd"));
  }

  @Test
  void dotDotInALinkStopsAtTheRootfs() throws IOException {
    assertThat(RootfsPath.resolve(root, "/up", true)).isEqualTo(root.resolve("etc/passwd"));
    assertThat(RootfsPath.resolve(root, "/bin/deep/etc", true)).isEqualTo(root.resolve("etc"));
    assertThat(RootfsPath.resolve(root, "/../../../etc/passwd", true)).isEqualTo(root.resolve("etc/passwd"));
  }

  @Test
  void relativeLinksOnTheWayAreFollowed() throws IOException {
    assertThat(RootfsPath.resolve(root, "bin/sh", false)).isEqualTo(root.resolve("usr/bin/sh"));
  }

  @Test
  void theLastElementIsKeptAsALinkUnlessAskedToFollow() throws IOException {
    assertThat(RootfsPath.resolve(root, "/abs", false)).isEqualTo(root.resolve("abs"));
    assertThat(RootfsPath.resolve(root, "/abs", true)).isEqualTo(root.resolve("etc"));
    assertThat(RootfsPath.inContainer(root, RootfsPath.resolve(root, "/up", true))).isEqualTo("/etc/passwd");
  }

  @Test
  void aLinkLoopIsAnErrorNotAHang() {
    assertThatThrownBy(() -> RootfsPath.resolve(root, "/loop/x", true)).isInstanceOf(IOException.class)
        .hasMessageContaining("too many levels of symbolic links");
  }

  @Test
  void baseNamesAreDockers() {
    assertThat(RootfsPath.baseName("/etc/passwd")).isEqualTo("passwd");
    assertThat(RootfsPath.baseName("/etc/")).isEqualTo("etc");
    assertThat(RootfsPath.baseName("/etc/.")).isEqualTo(".");
    assertThat(RootfsPath.baseName("/")).isEqualTo("/");
  }
}
