package dev.berth.engine.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilePageOutTest {
  @Test
  void onlyTheMappingsOfTheFileAreFound() {
    List<String> maps = List.of(
        "55d0c0a00000-55d0c0b00000 r--p 00000000 fe:00 123  /usr/bin/qemu-system-x86_64",
        "7f424be00000-7f424fcdb000 rw-p 00000000 fe:00 2163605                    /data/assets/k/vmlinux",
        "7f4250000000-7f4250001000 rw-p 00000000 00:00 0 ",
        "7f4260000000-7f4260400000 r--p 04000000 fe:00 2163605   /data/assets/k/vmlinux");

    assertThat(FilePageOut.mappings(maps, "/data/assets/k/vmlinux")).containsExactly(
        new FilePageOut.Range(0x7f424be00000L, 0x7f424fcdb000L), new FilePageOut.Range(0x7f4260000000L, 0x7f4260400000L));
    assertThat(FilePageOut.mappings(maps, "/data/assets/k/vmlinux.old")).isEmpty();
  }

  @Test
  void theFilesPagesLeaveTheResidentSet() throws IOException {
    // Not /tmp: a tmpfs page cannot be paged out without swap.
    Path dir = Files.createDirectories(Path.of("target/page-out-test"));
    Path file = dir.resolve("data-" + ProcessHandle.current().pid());
    Files.write(file, new byte[4 << 20]);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, 4 << 20);
      long sum = 0;
      for (int i = 0; i < map.capacity(); i += 4096) {
        sum += map.get(i); // fault every page in
      }
      assertThat(sum).isZero();
      assertThat(residentKib(file)).isGreaterThanOrEqualTo(4096);
      assertThat(FilePageOut.residentBytes(ProcessHandle.current().pid(), file)).isEqualTo(residentKib(file) << 10);

      assertThat(FilePageOut.pageOut(ProcessHandle.current().pid(), file)).isEqualTo(4 << 20);

      assertThat(residentKib(file)).isLessThan(1024);
      assertThat(map.get(4096 * 7)).isZero(); // still mapped: read again from the file
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static long residentKib(Path file) throws IOException {
    String name = file.toAbsolutePath().toString();
    long kib = 0;
    boolean in = false;
    for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
      if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
        in = line.endsWith(name);
      } else if (in && line.startsWith("Rss:")) {
        kib += Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return kib;
  }
}
