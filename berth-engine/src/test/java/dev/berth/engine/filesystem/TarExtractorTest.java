package dev.berth.engine.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.berth.engine.BerthException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction into a rootfs never writes outside it, through names or links. */
class TarExtractorTest {
  @TempDir Path tmp;
  Path root;
  Path host;

  @BeforeEach
  void dirs() throws IOException {
    root = Files.createDirectories(tmp.resolve("rootfs"));
    host = Files.createDirectories(tmp.resolve("host"));
    Files.createDirectories(root.resolve("dst"));
    // A link in the rootfs that points at the host directory by its host path.
    Files.createSymbolicLink(root.resolve("dst/out"), host);
  }

  private static byte[] tar(Object... entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (int i = 0; i < entries.length; i += 2) {
        String name = (String) entries[i];
        String content = (String) entries[i + 1];
        TarArchiveEntry e;
        if (name.endsWith("/")) {
          e = new TarArchiveEntry(name, TarConstants.LF_DIR);
        } else if (content.startsWith("->")) {
          e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
          e.setLinkName(content.substring(2));
        } else {
          e = new TarArchiveEntry(name);
          e.setSize(content.length());
        }
        t.putArchiveEntry(e);
        if (e.isFile() && !e.isSymbolicLink()) {
          t.write(content.getBytes(StandardCharsets.UTF_8));
        }
        t.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private void extract(byte[] tar, boolean noOverwrite) throws IOException {
    new TarExtractor(root, "/dst", noOverwrite, OptionalInt.empty(), OptionalInt.empty())
        .extract(new ByteArrayInputStream(tar));
  }

  @Test
  void filesLandInTheDestination() throws IOException {
    extract(tar("a/", "", "a/b.txt", "hello"), false);
    assertThat(root.resolve("dst/a/b.txt")).hasContent("hello");
  }

  @Test
  void aPaxHeaderThatIsNotANumberIsTheClientsError() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      byte[] record = "34 uid=99999999999999999999999999\n".getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry pax = new TarArchiveEntry("PaxHeaders/x", TarConstants.LF_PAX_EXTENDED_HEADER_LC, true);
      pax.setSize(record.length);
      t.putArchiveEntry(pax);
      t.write(record);
      t.closeArchiveEntry();
      TarArchiveEntry file = new TarArchiveEntry("f.txt");
      file.setSize(1);
      t.putArchiveEntry(file);
      t.write('x');
      t.closeArchiveEntry();
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> extract(bytes.toByteArray(), false))
        .isInstanceOf(dev.berth.engine.BerthException.InvalidArgument.class)
        .hasMessageContaining("invalid tar archive: cannot read the header of the first entry");
    assertThat(root.resolve("dst/f.txt")).doesNotExist();
  }

  @Test
  void aNameNoFileSystemCanHoldIsTheClientsError() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> extract(tar("n".repeat(300), "x"), false))
        .isInstanceOf(dev.berth.engine.BerthException.InvalidArgument.class)
        .hasMessageContaining("has a path component longer than 255 bytes");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> extract(tar("d/".repeat(2100) + "f", "x"), false))
        .isInstanceOf(dev.berth.engine.BerthException.InvalidArgument.class)
        .hasMessageContaining("has a name longer than 4095 bytes");
  }

  @Test
  void anArchiveThatEndsInsideAnEntryIsTheClientsError() throws IOException {
    byte[] whole = tar("big.txt", "y".repeat(5000));
    byte[] cut = java.util.Arrays.copyOf(whole, 512 + 1000);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> extract(cut, false))
        .isInstanceOf(dev.berth.engine.BerthException.InvalidArgument.class)
        .hasMessageContaining("big.txt").hasMessageContaining("truncated");
  }

  @Test
  void dotDotNamesStayInsideTheRootfs() throws IOException {
    extract(tar("../../../../escape.txt", "x"), false);
    assertThat(tmp.resolve("escape.txt")).doesNotExist();
    assertThat(root.resolve("escape.txt")).hasContent("x");
  }

  @Test
  void aLinkToAHostPathIsResolvedInsideTheRootfs() throws IOException {
    extract(tar("out/pwned", "x"), false);
    assertThat(host.resolve("pwned")).doesNotExist();
    assertThat(root.resolve(host.toString().substring(1)).resolve("pwned")).hasContent("x");
  }

  @Test
  void aLinkTheArchiveMadeCannotCarryLaterEntriesOut() throws IOException {
    extract(tar("evil", "->/", "evil" + tmp + "/host/x", "y"), false);
    assertThat(host.resolve("x")).doesNotExist();
  }

  @Test
  void noOverwriteDirNonDirRefusesToReplaceADirectoryByAFile() throws IOException {
    Files.createDirectories(root.resolve("dst/d"));
    assertThatThrownBy(() -> extract(tar("d", "file"), true)).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("cannot overwrite directory");
    assertThat(root.resolve("dst/d")).isDirectory();
    extract(tar("d", "file"), false);
    assertThat(root.resolve("dst/d")).hasContent("file");
  }

  @Test
  void aFifoEntryGetsItsModeWithoutBeingOpened() throws IOException {
    TarArchiveEntry fifo = new TarArchiveEntry("pipe", TarConstants.LF_FIFO);
    fifo.setMode(0640);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      t.putArchiveEntry(fifo);
      t.closeArchiveEntry();
    }
    // Opening a FIFO to chmod it would wait for a writer forever.
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> extract(bytes.toByteArray(), false));
    assertThat(Files.getAttribute(root.resolve("dst/pipe"), "unix:mode", LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(0010000 | 0640);
  }
}
