package dev.berth.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataRootLockTest {
  @TempDir
  Path dir;

  @Test
  void lockFileNamesItsOwnerAndIsReusableAfterRelease() throws Exception {
    try (DataRootLock lock = DataRootLock.acquire(dir)) {
      assertThat(Files.readString(dir.resolve("berthd.lock")).strip())
          .isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }
    try (DataRootLock again = DataRootLock.acquire(dir)) {
      assertThat(again).isNotNull();
    }
  }
}
