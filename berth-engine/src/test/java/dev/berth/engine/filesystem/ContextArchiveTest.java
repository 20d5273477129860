package dev.berth.engine.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.CompressorStreamFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A build context upload lands whole in its own directory, and nowhere else. */
class ContextArchiveTest {
  @TempDir Path tmp;

  private static byte[] tar(TarArchiveEntry... entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (TarArchiveEntry e : entries) {
        byte[] content = e.getName().getBytes(StandardCharsets.UTF_8);
        if (e.isFile()) {
          e.setSize(content.length);
        }
        t.putArchiveEntry(e);
        if (e.isFile()) {
          t.write(content);
        }
        t.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static TarArchiveEntry file(String name) {
    return new TarArchiveEntry(name);
  }

  private static TarArchiveEntry link(String name, String target, byte type) {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setLinkName(target);
    return e;
  }

  private BuildContext unpack(byte[] body) throws IOException {
    return ContextArchive.receive(new ByteArrayInputStream(body), tmp.resolve("scratch"), "Dockerfile");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "gz", "bzip2", "xz"})
  void plainAndCompressedTarsUnpack(String compression) throws Exception {
    byte[] raw = tar(file("Dockerfile"), new TarArchiveEntry("src/", TarConstants.LF_DIR), file("src/a.txt"));
    byte[] body = raw;
    if (!compression.isEmpty()) {
      ByteArrayOutputStream packed = new ByteArrayOutputStream();
      try (OutputStream c = new CompressorStreamFactory().createCompressorOutputStream(compression, packed)) {
        c.write(raw);
      }
      body = packed.toByteArray();
    }
    BuildContext u = unpack(body);
    assertThat(u.index()).as("a plain tree is indexed").isPresent();
    assertThat(u.onDisk()).as("and not extracted until asked").isFalse();
    assertThat(u.index().get().get("src/a.txt").orElseThrow().size()).isEqualTo("src/a.txt".length());
    assertThat(u.directory().resolve("Dockerfile")).hasContent("Dockerfile");
    assertThat(u.directory().resolve("src/a.txt")).hasContent("src/a.txt");
    assertThat(u.directory().getParent()).isEqualTo(tmp.resolve("scratch"));
    u.close();
    assertThat(tmp.resolve("scratch")).as("closing removes the spool and the files").isEmptyDirectory();
  }

  @Test
  void aBodyThatIsNoTarIsTheDockerfile() throws IOException {
    BuildContext u = ContextArchive.receive(
        new ByteArrayInputStream("FROM busybox\nRUN true\n".getBytes(StandardCharsets.UTF_8)),
        tmp.resolve("scratch"), "build/Dockerfile.dev");
    assertThat(u.index()).isEmpty();
    assertThat(u.directory().resolve("build/Dockerfile.dev")).hasContent("FROM busybox\nRUN true");
  }

  @Test
  void namesAndLinksCannotLeaveTheContext() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    byte[] body = tar(file("../../escape.txt"), file("/abs.txt"),
        link("out", outside.toString(), TarConstants.LF_SYMLINK), file("out/through-link.txt"),
        link("hard", "../../../etc/passwd", TarConstants.LF_LINK));
    assertThatThrownBy(() -> unpack(body)).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("links to");
    assertThat(tmp.resolve("escape.txt")).doesNotExist();
    assertThat(outside).isEmptyDirectory();
    assertThat(tmp.resolve("scratch")).isEmptyDirectory(); // the failed upload left nothing
  }

  @Test
  void writesThroughAnAbsoluteLinkStayInside() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    BuildContext u = unpack(tar(file("../../escape.txt"),
        link("out", outside.toString(), TarConstants.LF_SYMLINK), file("out/through-link.txt")));
    assertThat(outside).isEmptyDirectory();
    assertThat(tmp.resolve("escape.txt")).doesNotExist();
    assertThat(u.index()).as("names with .. and entries under links are extracted at once").isEmpty();
    assertThat(u.onDisk()).isTrue();
    assertThat(u.directory().resolve("escape.txt")).exists();
    assertThat(Files.isSymbolicLink(u.directory().resolve("out"))).isTrue();
    assertThat(u.directory().resolve(outside.toString().substring(1)).resolve("through-link.txt")).exists();
  }

  @Test
  void deviceNodesAreRefused() throws IOException {
    TarArchiveEntry dev = new TarArchiveEntry("null", TarConstants.LF_CHR);
    dev.setDevMajor(1);
    dev.setDevMinor(3);
    assertThatThrownBy(() -> unpack(tar(file("Dockerfile"), dev)))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("device node");
    assertThat(tmp.resolve("scratch")).isEmptyDirectory();
  }

  @Test
  void closeRemovesTheTreeButNotWhatLinksPointAt() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep"), "x");
    BuildContext u = unpack(tar(file("a"), link("out", outside.toString(), TarConstants.LF_SYMLINK)));
    Path dir = u.directory();
    assertThat(dir.resolve("out")).isSymbolicLink();
    u.close();
    assertThat(dir).doesNotExist();
    assertThat(tmp.resolve("scratch")).isEmptyDirectory();
    assertThat(outside.resolve("keep")).exists();
  }

  @Test
  void ownerModeWithSetIdBitsAndMtimeOfEveryEntryAreKept() throws IOException {
    TarArchiveEntry dir = new TarArchiveEntry("bin/", TarConstants.LF_DIR);
    dir.setMode(01775);
    dir.setIds(1234, 5678);
    TarArchiveEntry tool = file("bin/tool");
    tool.setMode(06755);
    tool.setIds(1234, 5678);
    Instant mtime = Instant.parse("2020-01-02T03:04:05Z");
    tool.setModTime(FileTime.from(mtime));
    BuildContext u = unpack(tar(dir, tool));
    Path t = u.directory().resolve("bin/tool");
    assertThat(Files.getAttribute(t, "unix:mode")).isEqualTo(0100000 | 06755);
    assertThat(Files.getAttribute(t, "unix:uid")).isEqualTo(1234);
    assertThat(Files.getAttribute(t, "unix:gid")).isEqualTo(5678);
    assertThat(Files.getLastModifiedTime(t).toInstant()).isEqualTo(mtime);
    assertThat(Files.getAttribute(u.directory().resolve("bin"), "unix:mode")).isEqualTo(0040000 | 01775);
  }

  @Test
  void aSymlinkEntrysModeAndOwnerNeverReachItsTarget() throws IOException {
    Path outside = Files.writeString(tmp.resolve("outside"), "host file");
    Files.setPosixFilePermissions(outside, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    TarArchiveEntry l = link("escape", outside.toString(), TarConstants.LF_SYMLINK);
    l.setMode(0777);
    l.setIds(1234, 5678);
    BuildContext u = unpack(tar(l));
    assertThat(Files.isSymbolicLink(u.directory().resolve("escape"))).isTrue();
    assertThat(Files.getAttribute(u.directory().resolve("escape"), "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(1234);
    assertThat(Files.getAttribute(outside, "unix:mode")).isEqualTo(0100600);
    assertThat(Files.getAttribute(outside, "unix:uid")).isEqualTo(0);
  }
}
