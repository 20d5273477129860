package dev.berth.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConmonPathsTest {
  @TempDir Path dir;

  private static final String ID = "71bc4122372a656cc09d74e6eb0a45231a7e8974b50ed62343f2d192c26e48bf";

  @Test
  void theAttachSocketIsFoundThroughConmonsLinkEvenWhenConmonCutItsNameShort() throws Exception {
    ConmonPaths paths = ConmonPaths.of(dir.resolve("exec"), ID);
    Path bundle = Files.createDirectories(dir.resolve("data/containers").resolve(ID));
    Files.createDirectories(paths.socketDir());
    // A long exec-root: conmon names its link with the id cut to fit a socket address.
    Files.createSymbolicLink(paths.socketDir().resolve(ID.substring(0, 63)), bundle);
    Files.createFile(bundle.resolve("ctl"));
    assertThat(paths.controlFifo()).exists();
    assertThat(paths.attachSocket()).isEqualTo(paths.socketDir().resolve(ID.substring(0, 63)).resolve("attach"));
    // Another container's link is never taken for this one's.
    Files.createSymbolicLink(paths.socketDir().resolve("0" + ID.substring(1, 63)), bundle);
    assertThat(paths.attachDir().getFileName().toString()).isEqualTo(ID.substring(0, 63));
  }

  @Test
  void theFullNameIsUsedWhenConmonKeptItAndBeforeItExists() throws Exception {
    ConmonPaths paths = ConmonPaths.of(dir.resolve("exec"), ID);
    assertThat(paths.attachDir()).isEqualTo(paths.socketDir().resolve(ID));
    Files.createDirectories(paths.socketDir());
    Files.createSymbolicLink(paths.socketDir().resolve(ID), dir);
    assertThat(paths.attachDir()).isEqualTo(paths.socketDir().resolve(ID));
  }
}
