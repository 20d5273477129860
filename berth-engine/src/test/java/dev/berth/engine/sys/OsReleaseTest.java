package dev.berth.engine.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OsReleaseTest {
  @TempDir
  Path dir;

  @Test
  void readsQuotedAndUnquotedValues() throws Exception {
    Path f = dir.resolve("os-release");
    Files.writeString(f, "# comment\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=Debian\nVERSION_ID='12'\n");
    assertThat(OsRelease.read(f)).isEqualTo(new OsRelease("Debian GNU/Linux 12 (bookworm)", "12"));
  }

  @Test
  void missingFileFallsBackToLinux() {
    assertThat(OsRelease.read(dir.resolve("none")).prettyName()).isEqualTo("Linux");
  }
}
