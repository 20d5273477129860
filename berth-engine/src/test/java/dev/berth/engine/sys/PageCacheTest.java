package dev.berth.engine.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PageCacheTest {
  private static final int SIZE = 4 << 20;

  @Test
  void aFileThePageOutDroppedFromTheCacheIsReadBackIntoIt() throws Exception {
    // Not /tmp: a tmpfs page cannot leave the cache.
    Path file = Files.createDirectories(Path.of("target/page-cache-test")).resolve("data-" + ProcessHandle.current().pid());
    byte[] data = new byte[SIZE];
    Arrays.fill(data, (byte) 7);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(data));
      ch.force(true); // clean pages: only those leave the cache at a page-out
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, SIZE);
      for (int i = 0; i < SIZE; i += 4096) {
        assertThat(map.get(i)).isEqualTo((byte) 7); // every page mapped here
      }
      FilePageOut.pageOut(ProcessHandle.current().pid(), file); // mapped by no one else: out of the cache too
      assertThat(map.isLoaded()).as("in the page cache after the page-out").isFalse(); // mincore

      PageCache.willNeed(file);

      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!map.isLoaded() && System.nanoTime() < deadline) {
        Thread.sleep(5); // the reads were queued; mincore sees them land
      }
      assertThat(map.isLoaded()).as("all of it in the page cache again").isTrue();
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void aMissingFileIsAnError() {
    assertThatThrownBy(() -> PageCache.willNeed(Path.of("target/page-cache-test/none")))
        .isInstanceOf(IOException.class).hasMessageContaining("none");
  }
}
