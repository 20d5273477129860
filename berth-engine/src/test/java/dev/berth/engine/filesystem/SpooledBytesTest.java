package dev.berth.engine.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bytes kept in memory while small and moved to a file past the limit read back the same either way. */
class SpooledBytesTest {
  @TempDir Path tmp;

  private static byte[] pattern(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return b;
  }

  @ParameterizedTest(name = "{0} bytes, limit 1000")
  @ValueSource(ints = {0, 999, 1000, 1001, 70_000})
  void readsBackWhatWasWrittenInMemoryOrOnDisk(int size) throws IOException {
    byte[] data = pattern(size);
    Path file = tmp.resolve("spool");
    try (SpooledBytes bytes = new SpooledBytes(file, 1000)) {
      for (int off = 0; off < size; off += 333) { // writes that cross the limit in the middle
        bytes.write(data, off, Math.min(333, size - off));
      }
      assertThat(bytes.length()).isEqualTo(size);
      assertThat(bytes.onDisk()).isEqualTo(size > 1000);
      assertThat(file.toFile().exists()).isEqualTo(size > 1000);
      try (InputStream in = bytes.open()) {
        assertThat(in.readAllBytes()).isEqualTo(data);
      }
      if (size > 10) {
        try (InputStream in = bytes.open(5, size - 7)) {
          assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 5, size - 2));
        }
        ByteBuffer buf = ByteBuffer.allocate(4);
        assertThat(bytes.read(buf, size - 3)).isEqualTo(3);
        assertThat(Arrays.copyOf(buf.array(), 3)).isEqualTo(Arrays.copyOfRange(data, size - 3, size));
      }
      assertThat(bytes.read(ByteBuffer.allocate(1), size)).isEqualTo(-1);
    }
    assertThat(file).doesNotExist();
  }

  @Test
  void aRecordingStreamKeepsSkippedBytesToo() throws IOException {
    byte[] data = pattern(5000);
    try (SpooledBytes bytes = new SpooledBytes(tmp.resolve("spool"), 1000)) {
      InputStream in = bytes.recording(new ByteArrayInputStream(data));
      assertThat(in.read()).isEqualTo(data[0] & 0xff);
      assertThat(in.skip(2000)).isEqualTo(2000);
      assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOfRange(data, 2001, 2011));
      bytes.writeAll(new ByteArrayInputStream(data, 2011, data.length - 2011)); // the rest, not through the recorder
      try (InputStream all = bytes.open()) {
        assertThat(all.readAllBytes()).isEqualTo(data);
      }
    }
  }
}
