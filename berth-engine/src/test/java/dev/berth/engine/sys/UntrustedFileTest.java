package dev.berth.engine.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UntrustedFileTest {
  @TempDir
  Path dir;

  @Test
  void aRegularFileIsReadAndAMissingOneSaysSo() throws Exception {
    Path f = Files.writeString(dir.resolve("stdout"), "hello\n");
    try (FileChannel ch = UntrustedFile.openRegular(f)) {
      ByteBuffer buf = ByteBuffer.allocate(64);
      ch.read(buf);
      assertThat(new String(buf.array(), 0, buf.position())).isEqualTo("hello\n");
    }
    assertThatThrownBy(() -> UntrustedFile.openRegular(dir.resolve("none"))).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void aLinkAFifoADeviceAndADirectoryAreRefusedWithoutWaiting() throws Exception {
    Path secret = Files.writeString(dir.resolve("secret"), "secret\n");
    Path link = Files.createSymbolicLink(dir.resolve("link"), secret);
    Path fifo = dir.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Path dev = dir.resolve("null");
    boolean root = new ProcessBuilder("mknod", dev.toString(), "c", "1", "3").start().waitFor() == 0;

    Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertThatThrownBy(() -> UntrustedFile.openRegular(link)).isInstanceOf(UntrustedFile.NotRegular.class)
          .hasMessageContaining("not a regular file");
      assertThatThrownBy(() -> UntrustedFile.openRegular(fifo)).isInstanceOf(UntrustedFile.NotRegular.class);
      assertThatThrownBy(() -> UntrustedFile.openRegular(dir)).isInstanceOf(UntrustedFile.NotRegular.class);
      if (root) {
        assertThatThrownBy(() -> UntrustedFile.openRegular(dev)).isInstanceOf(UntrustedFile.NotRegular.class);
      }
    });
    Assumptions.assumeTrue(root, "mknod needs root");
  }

  @Test
  void theOpenItselfRefusesALinkAndWhatIsNoRegularFileWhenThePathChangedAfterTheLook() throws Exception {
    Path secret = Files.writeString(dir.resolve("secret"), "secret\n");
    Path link = Files.createSymbolicLink(dir.resolve("link"), secret);
    Path fifo = dir.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();

    Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertThatThrownBy(() -> UntrustedFile.openRegular(link, -1, false)).isInstanceOf(UntrustedFile.NotRegular.class)
          .hasMessageContaining("symbolic link");
      assertThatThrownBy(() -> UntrustedFile.openRegular(fifo, -1, false)).isInstanceOf(UntrustedFile.NotRegular.class);
      assertThatThrownBy(() -> UntrustedFile.openRegular(dir, -1, false)).isInstanceOf(UntrustedFile.NotRegular.class);
    });
  }

  @Test
  void aFileWithAHoleAfterTheOffsetIsRefusedAndAnAppendedOneIsRead() throws Exception {
    Path appended = Files.writeString(dir.resolve("stdout"), "x".repeat(10_000));
    try (FileChannel ch = UntrustedFile.openRegular(appended, 0)) {
      assertThat(ch.size()).isEqualTo(10_000);
    }
    Path truncated = Files.writeString(dir.resolve("stderr"), "hello\n");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(truncated.toFile(), "rw")) {
      f.setLength(1L << 30); // what `truncate -s 1G` in the guest makes: a gigabyte of hole
    }
    assertThatThrownBy(() -> UntrustedFile.openRegular(truncated, 0)).isInstanceOf(UntrustedFile.NotRegular.class)
        .hasMessageContaining("hole");
    try (FileChannel ch = UntrustedFile.openRegular(truncated)) { // without the check: still a regular file
      assertThat(ch.size()).isEqualTo(1L << 30);
    }
  }
}
