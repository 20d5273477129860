package dev.berth.cli.command.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cp's argument rules and its local tar side. */
class CpCommandTest {
  @TempDir Path tmp;

  @Test
  void argumentsNameAContainerOnlyBeforeAColon() {
    assertThat(CpCommand.split("web:/etc/passwd")).containsExactly("web", "/etc/passwd");
    assertThat(CpCommand.split("/tmp/a:b")).containsExactly(null, "/tmp/a:b");
    assertThat(CpCommand.split("./a:b")).containsExactly(null, "./a:b");
    assertThat(CpCommand.split("-")).containsExactly(null, "-");
    assertThat(CpCommand.split("plain")).containsExactly(null, "plain");
  }

  @Test
  void containerPathsSplitIntoParentAndBase() {
    assertThat(CpCommand.parentOf("/etc/passwd")).isEqualTo("/etc");
    assertThat(CpCommand.parentOf("/top")).isEqualTo("/");
    assertThat(CpCommand.baseOf("/etc/dir/")).isEqualTo("dir");
  }

  @Test
  void aTreeRoundTripsUnderANewName() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src/sub"));
    Files.writeString(src.resolve("f"), "data");
    Files.createSymbolicLink(tmp.resolve("src/link"), Path.of("sub/f"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertThat(LocalTar.write(tmp.resolve("src"), "src", bytes)).isEqualTo(4);
    Path dst = Files.createDirectories(tmp.resolve("dst"));
    LocalTar.extract(new ByteArrayInputStream(bytes.toByteArray()), dst, "renamed", false);
    assertThat(dst.resolve("renamed/sub/f")).hasContent("data");
    assertThat(Files.readSymbolicLink(dst.resolve("renamed/link"))).isEqualTo(Path.of("sub/f"));
  }

  @Test
  void anArchiveCannotWriteThroughALinkItMadeOrClimbOut() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path dst = Files.createDirectories(tmp.resolve("dst"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry link = new TarArchiveEntry("x/esc", TarConstants.LF_SYMLINK);
      link.setLinkName(outside.toString());
      t.putArchiveEntry(link);
      t.closeArchiveEntry();
      TarArchiveEntry file = new TarArchiveEntry("x/esc/pwned");
      file.setSize(1);
      t.putArchiveEntry(file);
      t.write("!".getBytes(StandardCharsets.UTF_8));
      t.closeArchiveEntry();
    }
    assertThatThrownBy(() -> LocalTar.extract(new ByteArrayInputStream(bytes.toByteArray()), dst, null, false))
        .isInstanceOf(IOException.class).hasMessageContaining("never writes through");
    assertThat(outside.resolve("pwned")).doesNotExist();
    assertThatThrownBy(() -> LocalTar.clean("a/../../b")).hasMessageContaining("'..'");
  }
}
