package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rotation's steps on real files, with a stand-in for conmon (it appends lines and reopens on request). */
class LogRotationTest {
  @TempDir
  Path dir;

  private final LogConfig threeFiles = LogConfig.parse("", Map.of("max-size", "100", "max-file", "3"));

  /** What conmon does: appends to the file it has open; a reopen makes a new empty ctr.log (by rename, as conmon). */
  private final class FakeConmon {
    final Path log = dir.resolve("ctr.log");
    java.nio.channels.FileChannel open;
    int line;

    FakeConmon() throws IOException {
      reopen();
    }

    void reopen() throws IOException {
      if (open != null) {
        open.close();
      }
      Path tmp = dir.resolve("ctr.log.tmp");
      open = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(tmp, log, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** One k8s-file line of 51 bytes, numbered. */
    void write() throws IOException {
      String entry = String.format("2026-11-27T10:00:00.%09dZ stdout F line %05d%n", line, line);
      line++;
      open.write(java.nio.ByteBuffer.wrap(entry.getBytes()), open.size());
    }
  }

  private List<String> texts() throws IOException {
    List<String> out = new ArrayList<>();
    ContainerLogs.stream(dir.resolve("ctr.log"), new ContainerLogs.Options(true, true, null, null, -1, false),
        () -> false, l -> out.add(l.text().strip()));
    return out;
  }

  @Test
  void aFullLogShiftsToDotOneAndAtMostMaxFileFilesStay() throws Exception {
    FakeConmon conmon = new FakeConmon();
    Path log = conmon.log;
    for (int i = 0; i < 21; i++) {
      conmon.write();
      LogRotation.rotateIfNeeded(log, threeFiles, conmon::reopen);
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("ctr.log", "ctr.log.1", "ctr.log.2");
    }
    assertThat(LogRotation.awaitsReopen(log)).isFalse();
    for (Path p : List.of(log, LogFiles.rotated(log, 1), LogFiles.rotated(log, 2))) {
      assertThat(Files.size(p)).isLessThanOrEqualTo(100 + 51); // rotated after the write that reached max-size
    }
    // 21 lines of 51 bytes, two per full file: the newest five remain, in order.
    assertThat(texts()).containsExactly("line 00016", "line 00017", "line 00018", "line 00019", "line 00020");
  }

  @Test
  void linesWrittenBeforeConmonReopensStayInDotOneInOrder() throws Exception {
    FakeConmon conmon = new FakeConmon();
    Path log = conmon.log;
    List<Runnable> pendingReopen = new ArrayList<>();
    conmon.write();
    conmon.write();
    // The ctl message is on its way; conmon writes on into the file it has open.
    LogRotation.rotateIfNeeded(log, threeFiles, () -> pendingReopen.add(() -> {
      try {
        conmon.reopen();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }));
    conmon.write();
    LogRotation.rotateIfNeeded(log, threeFiles, () -> { throw new AssertionError("no second rotation"); });
    pendingReopen.forEach(Runnable::run);
    conmon.write();
    LogRotation.rotateIfNeeded(log, threeFiles, conmon::reopen);
    assertThat(Files.readString(LogFiles.rotated(log, 1))).contains("line 00000", "line 00001", "line 00002");
    assertThat(texts()).containsExactly("line 00000", "line 00001", "line 00002", "line 00003");
  }

  @Test
  void aRotationThatConmonDidNotFinishIsNoticed() throws Exception {
    FakeConmon conmon = new FakeConmon();
    Path log = conmon.log;
    conmon.write();
    conmon.write();
    LogRotation.rotateIfNeeded(log, threeFiles, () -> {}); // berthd stopped before conmon reopened
    assertThat(LogRotation.awaitsReopen(log)).isTrue();
    LogRotation.rotateIfNeeded(log, threeFiles, conmon::reopen); // nothing to do without a current file
    assertThat(LogFiles.rotated(log, 2)).doesNotExist();
    conmon.reopen();
    conmon.write();
    assertThat(texts()).containsExactly("line 00000", "line 00001", "line 00002");
  }

  @Test
  void oneFileShiftDropsTheOld() throws Exception {
    Path log = dir.resolve("ctr.log");
    Files.writeString(log, "x");
    LogFiles.shift(log, log, 1);
    assertThat(log).doesNotExist();
  }

  @Test
  void shiftingMovesEachFileUpAndDropsTheOldest() throws Exception {
    Path log = dir.resolve("ctr.log");
    Files.writeString(log, "new");
    Files.writeString(LogFiles.rotated(log, 1), "one");
    Files.writeString(LogFiles.rotated(log, 2), "two");
    LogFiles.shift(log, log, 3);
    assertThat(log).doesNotExist();
    assertThat(Files.readString(LogFiles.rotated(log, 1))).isEqualTo("new");
    assertThat(Files.readString(LogFiles.rotated(log, 2))).isEqualTo("one");
    assertThat(LogFiles.rotated(log, 3)).doesNotExist();
  }
}
