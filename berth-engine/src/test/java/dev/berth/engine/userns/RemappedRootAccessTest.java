package dev.berth.engine.userns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemappedRootAccessTest {
  private static final Remapping REMAP = Remapping.of("berth", "berth", List.of(new IdRange(100000, 65536)),
      List.of(new IdRange(100000, 65536)));

  @TempDir
  Path dir;

  @Test
  void aDirectoryWithoutOtherSearchAboveTheDataRootIsNamed() throws Exception {
    Path closed = Files.createDirectories(dir.resolve("closed"));
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    assertThatThrownBy(() -> RemappedRootAccess.check(closed.resolve("data"), REMAP))
        .hasMessage("a subdirectory in your graphroot path (" + closed.resolve("data") + ") restricts access to the "
            + "remapped root uid/gid; please fix by allowing 'o+x' permissions on existing directories (" + closed
            + ")");
  }

  @Test
  void otherSearchOrTheRemappedOwnerMayPass() throws Exception {
    Path open = Files.createDirectories(dir.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwx--x--x"));
    assertThat(RemappedRootAccess.canSearch(open, 100000, 100000)).isTrue();
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr--r--"));
    assertThat(RemappedRootAccess.canSearch(open, 100000, 100000)).isFalse();
    int myUid = (Integer) Files.getAttribute(open, "unix:uid");
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwx------"));
    assertThat(RemappedRootAccess.canSearch(open, myUid, -1)).isTrue();
  }
}
