package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.runtime.LogEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLogsTest {
  @TempDir
  Path dir;

  private static final String LOG = """
      2026-11-27T10:00:00.000000001Z stdout F one
      2026-11-27T10:00:01.000000000Z stderr F oops
      2026-11-27T10:00:02.000000000Z stdout P tw
      2026-11-27T10:00:02.500000000Z stdout F o
      2026-11-27T10:00:03.000000000Z stdout F
      2026-11-27T10:00:04.000000000Z stdout P no newline at exit
      """;

  private List<ContainerLogs.Line> read(ContainerLogs.Options o) throws Exception {
    Path file = dir.resolve("ctr.log");
    Files.writeString(file, LOG);
    List<ContainerLogs.Line> lines = new ArrayList<>();
    ContainerLogs.stream(file, o, () -> false, lines::add);
    return lines;
  }

  private static List<String> texts(List<ContainerLogs.Line> lines) {
    return lines.stream().map(ContainerLogs.Line::text).toList();
  }

  @Test
  void partialEntriesJoinIntoTheLinesTheProcessWrote() throws Exception {
    List<ContainerLogs.Line> all = read(new ContainerLogs.Options(true, true, null, null, -1, false));
    assertThat(texts(all)).containsExactly("one\n", "oops\n", "two\n", "\n", "no newline at exit");
    assertThat(all.get(1).stream()).isEqualTo(LogEntry.Stream.STDERR);
    assertThat(all.getFirst().time()).isEqualTo(Instant.parse("2026-11-27T10:00:00.000000001Z"));
  }

  @Test
  void streamsTailSinceAndUntilSelect() throws Exception {
    assertThat(texts(read(new ContainerLogs.Options(false, true, null, null, -1, false)))).containsExactly("oops\n");
    assertThat(texts(read(new ContainerLogs.Options(true, false, null, null, 2, false))))
        .containsExactly("\n", "no newline at exit");
    assertThat(texts(read(new ContainerLogs.Options(true, true, null, null, 0, false)))).isEmpty();
    assertThat(texts(read(new ContainerLogs.Options(true, true, Instant.parse("2026-11-27T10:00:01Z"),
        Instant.parse("2026-11-27T10:00:02.6Z"), -1, false)))).containsExactly("oops\n", "two\n");
  }

  @Test
  void followReadsWhatIsAppendedUntilTheContainerStops() throws Exception {
    Path file = dir.resolve("follow.log");
    Files.writeString(file, "2026-11-27T10:00:00Z stdout F first\n");
    List<String> seen = new ArrayList<>();
    int[] polls = {0};
    ContainerLogs.stream(file, new ContainerLogs.Options(true, true, null, null, -1, true), () -> {
      // The container writes one more line, then stops.
      if (polls[0]++ == 0) {
        try {
          Files.writeString(file, "2026-11-27T10:00:01Z stdout F second\n", java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return true;
      }
      return false;
    }, l -> seen.add(l.text()));
    assertThat(seen).containsExactly("first\n", "second\n");
  }

  @Test
  void rotatedFilesAreReadOldestFirstAndTailReachesAcrossThem() throws Exception {
    Path log = dir.resolve("ctr.log");
    Files.writeString(LogFiles.rotated(log, 2), "2026-11-27T10:00:00Z stdout F a\n");
    // A line split by conmon (P entries) across a rotation is still one line.
    Files.writeString(LogFiles.rotated(log, 1), "2026-11-27T10:00:01Z stdout F b\n2026-11-27T10:00:02Z stdout P c-\n");
    Files.writeString(log, "2026-11-27T10:00:03Z stdout F continued\n2026-11-27T10:00:04Z stderr F d\n");
    List<String> all = new ArrayList<>();
    ContainerLogs.stream(log, new ContainerLogs.Options(true, true, null, null, -1, false), () -> false,
        l -> all.add(l.text()));
    assertThat(all).containsExactly("a\n", "b\n", "c-continued\n", "d\n");
    List<String> tail = new ArrayList<>();
    ContainerLogs.stream(log, new ContainerLogs.Options(true, true, null, null, 3, false), () -> false,
        l -> tail.add(l.text()));
    assertThat(tail).containsExactly("b\n", "c-continued\n", "d\n");
  }

  @Test
  void followGoesOnIntoTheNewFileAfterARotation() throws Exception {
    Path log = dir.resolve("ctr.log");
    Files.writeString(log, "2026-11-27T10:00:00Z stdout F before\n");
    List<String> seen = new ArrayList<>();
    int[] polls = {0};
    ContainerLogs.stream(log, new ContainerLogs.Options(true, true, null, null, -1, true), () -> {
      try {
        switch (polls[0]++) {
          case 0 -> {
            // conmon writes one more line to the old file, berthd rotates twice before the reader looks again.
            Files.writeString(log, "2026-11-27T10:00:01Z stdout F last-of-old\n", java.nio.file.StandardOpenOption.APPEND);
            Files.move(log, LogFiles.rotated(log, 1));
            Files.writeString(log, "2026-11-27T10:00:02Z stdout F middle\n");
            Files.move(LogFiles.rotated(log, 1), LogFiles.rotated(log, 2));
            Files.move(log, LogFiles.rotated(log, 1));
            Files.writeString(log, "2026-11-27T10:00:03Z stdout F newest\n");
          }
          case 1 -> Files.writeString(log, "2026-11-27T10:00:04Z stdout F appended\n",
              java.nio.file.StandardOpenOption.APPEND);
          default -> {
            return false;
          }
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return true;
    }, l -> seen.add(l.text()));
    assertThat(seen).containsExactly("before\n", "last-of-old\n", "middle\n", "newest\n", "appended\n");
  }
}
