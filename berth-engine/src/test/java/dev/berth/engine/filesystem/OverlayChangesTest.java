package dev.berth.engine.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.sys.LinuxFs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An overlay upper dir read as Docker's changes, and written as an image layer. */
class OverlayChangesTest {
  @TempDir Path tmp;
  Path lower;
  Path upper;

  @BeforeEach
  void layers() throws IOException {
    lower = Files.createDirectories(tmp.resolve("lower"));
    upper = Files.createDirectories(tmp.resolve("upper"));
    Files.createDirectories(lower.resolve("etc"));
    Files.writeString(lower.resolve("etc/passwd"), "root\n");
    Files.writeString(lower.resolve("etc/gone"), "x\n");
    Files.createDirectories(lower.resolve("var/cache"));
    Files.writeString(lower.resolve("var/cache/old"), "x\n");
    // What a container did: changed passwd, added a file, deleted gone, replaced var/cache.
    Files.createDirectories(upper.resolve("etc"));
    Files.writeString(upper.resolve("etc/passwd"), "root\nme\n");
    Files.writeString(upper.resolve("new.txt"), "n\n");
    try {
      LinuxFs.mknod(upper.resolve("etc/gone"), LinuxFs.S_IFCHR, 0);
      Files.createDirectories(upper.resolve("var/cache"));
      LinuxFs.lsetxattr(upper.resolve("var/cache"), "trusted.overlay.opaque", "y".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      Assumptions.assumeTrue(false, "whiteouts and opaque dirs need root (CAP_MKNOD, trusted xattrs): " + e.getMessage());
    }
    Files.writeString(upper.resolve("var/cache/fresh"), "f\n");
    // Mount points a runtime leaves in every container: not a change.
    Files.writeString(upper.resolve("etc/hostname"), "");
    Files.createDirectories(upper.resolve("proc"));
  }

  @Test
  void changesAreDockersKinds() throws IOException {
    List<String> seen = new ArrayList<>();
    for (OverlayChanges.Change c : OverlayChanges.of(upper, List.of(lower), TreeTar.INIT_PATHS::contains)) {
      seen.add(c.kindCode() + " " + c.path());
    }
    assertThat(seen).containsExactly("0 /etc", "2 /etc/gone", "0 /etc/passwd", "1 /new.txt", "0 /var",
        "0 /var/cache", "1 /var/cache/fresh", "2 /var/cache/old");
  }

  @Test
  void theLayerFormHasWhiteoutFilesAndOpaqueMarkers() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      new TreeTar(tar, TreeTar.Form.LAYER, TreeTar.INIT_PATHS::contains).add(upper, "");
    }
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        names.add(e.getName());
      }
    }
    assertThat(names).contains("etc/.wh.gone", "etc/passwd", "new.txt", "var/cache/", "var/cache/.wh..wh..opq",
        "var/cache/fresh").doesNotContain("etc/gone", "etc/hostname", "proc/");
  }
}
