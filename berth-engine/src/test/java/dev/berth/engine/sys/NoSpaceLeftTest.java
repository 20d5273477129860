package dev.berth.engine.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class NoSpaceLeftTest {
  @Test
  void findsAFullDiskAnywhereInTheCauses() {
    assertThat(NoSpaceLeft.isCause(new UncheckedIOException(new IOException("No space left on device")))).isTrue();
    assertThat(NoSpaceLeft.isCause(new RuntimeException("x",
        new FileSystemException("/d/layers/a.tmp-1/diff/f", null, "No space left on device")))).isTrue();
    assertThat(NoSpaceLeft.isCause(new RuntimeException(
        "[SQLITE_FULL] Insertion failed because database is full (database or disk is full)"))).isTrue();
    assertThat(NoSpaceLeft.isCause(new IOException("Broken pipe"))).isFalse();
  }

  @Test
  void translateNamesTheOperationOrKeepsOtherErrors() {
    RuntimeException full = NoSpaceLeft.translate("pull of busybox", new UncheckedIOException(new IOException("No space left on device")));
    assertThat(full).isInstanceOf(NoSpaceLeft.class)
        .hasMessage("pull of busybox failed: no space left on device: free space on the disk of the data-root and try again");
    IllegalStateException other = new IllegalStateException("boom");
    assertThat(NoSpaceLeft.translate("pull of busybox", other)).isSameAs(other);
  }
}
