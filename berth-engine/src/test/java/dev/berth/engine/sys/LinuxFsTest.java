package dev.berth.engine.sys;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxFsTest {
  @TempDir Path tmp;

  @Test
  void makedevMatchesTheKernelsEncoding() throws IOException {
    assertThat(Files.getAttribute(Path.of("/dev/null"), "unix:rdev")).isEqualTo(LinuxFs.makedev(1, 3));
  }

  @Test
  void failuresNameTheCallThePathAndTheReason() {
    Path missing = tmp.resolve("missing");
    assertThatThrownBy(() -> LinuxFs.chmod(missing, 0644))
        .isInstanceOf(LinuxFs.ErrnoException.class)
        .hasMessage("chmod " + missing + ": No such file or directory")
        .satisfies(e -> assertThat(((LinuxFs.ErrnoException) e).errno()).isEqualTo(2));
  }

  @Test
  void setsSpecialModeBitsAndSymlinkTimesWithoutFollowing() throws IOException {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    LinuxFs.chmod(file, 06755);
    assertThat(Files.getAttribute(file, "unix:mode")).isEqualTo(0106755);

    Path link = tmp.resolve("l");
    LinuxFs.symlink("f", link);
    FileTime fileTime = Files.getLastModifiedTime(file);
    Instant then = Instant.parse("2000-01-02T03:04:05.123456789Z");
    LinuxFs.lutimes(link, then, then);
    assertThat(Files.getLastModifiedTime(link, NOFOLLOW_LINKS).toInstant()).isEqualTo(then);
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(fileTime);
  }

  @Test
  void readsAndWritesXattrs() throws IOException {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    assertThat(LinuxFs.lgetxattr(file, "user.berth")).isNull();
    LinuxFs.lsetxattr(file, "user.berth", "v".getBytes(StandardCharsets.US_ASCII));
    assertThat(LinuxFs.lgetxattr(file, "user.berth")).isEqualTo(new byte[] {'v'});
  }

  @Test
  void makesFifosAndSyncsFileSystems() throws IOException {
    Path fifo = tmp.resolve("p");
    LinuxFs.mknod(fifo, LinuxFs.S_IFIFO | 0640, 0);
    assertThat(Files.getAttribute(fifo, "unix:mode", NOFOLLOW_LINKS)).isEqualTo(010640);
    LinuxFs.syncfs(tmp); // only that it does not fail: its effect shows after a crash
  }
}
