package dev.berth.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogEntryTest {
  @TempDir Path dir;

  @Test
  void parsesConmonsK8sFileLines() {
    LogEntry e = LogEntry.parse("2026-11-27T20:57:04.785324700+00:00 stdout F hi there");

    assertThat(e.stream()).isEqualTo(LogEntry.Stream.STDOUT);
    assertThat(e.partial()).isFalse();
    assertThat(e.content()).isEqualTo("hi there");
    assertThat(e.time().getNano()).isEqualTo(785324700);
    assertThat(e.text()).isEqualTo("hi there\n");
  }

  @Test
  void anEntryCutShortByAFullDiskGivesWayToTheWholeOneGluedToIt() {
    LogEntry e = LogEntry.parse("2026-12-07T01:48:27.802742711+002026-12-07T01:48:34.443206201+00:00 stdout F line-42");

    assertThat(e).isNotNull();
    assertThat(e.content()).isEqualTo("line-42");
    assertThat(e.time().getSecond()).isEqualTo(34);
    assertThat(LogEntry.parse("2026-12-07T01:48:27.80274 stdout F torn")).isNull();
  }

  @Test
  void joinsPartialLinesAndKeepsEmptyOnes() throws Exception {
    Path log = dir.resolve("log");
    Files.writeString(
        log,
        """
        2026-11-27T20:57:04.000000001+00:00 stdout P abc
        2026-11-27T20:57:04.000000002+00:00 stderr F oops
        2026-11-27T20:57:04.000000003+00:00 stdout F def
        2026-11-27T20:57:04.000000004+00:00 stdout F
        not a log line
        """);

    List<LogEntry> entries = K8sFileLog.read(log);

    assertThat(entries).hasSize(4);
    assertThat(K8sFileLog.text(entries, LogEntry.Stream.STDOUT)).isEqualTo("abcdef\n\n");
    assertThat(K8sFileLog.text(entries, LogEntry.Stream.STDERR)).isEqualTo("oops\n");
  }

  @Test
  void aMissingLogIsEmpty() {
    assertThat(K8sFileLog.read(dir.resolve("none"))).isEmpty();
  }
}
