package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.runtime.AttachSession;
import dev.berth.engine.runtime.K8sFileLog;
import dev.berth.engine.runtime.LogEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputPumpTest {
  @TempDir
  Path dir;

  @Test
  void linesBecomeFullEntriesAndTheRestAPartialOne() {
    String log = new String(OutputPump.k8sLines(LogEntry.Stream.STDERR, "one\n\ntwo\nthr".getBytes(),
        Instant.parse("2026-11-27T23:00:00.5Z")), StandardCharsets.UTF_8);

    List<LogEntry> entries = log.lines().map(LogEntry::parse).toList();
    assertThat(entries).extracting(LogEntry::content).containsExactly("one", "", "two", "thr");
    assertThat(entries).extracting(LogEntry::partial).containsExactly(false, false, false, true);
    assertThat(entries).allSatisfy(e -> assertThat(e.stream()).isEqualTo(LogEntry.Stream.STDERR));
    assertThat(entries.getFirst().time().toInstant()).isEqualTo(Instant.parse("2026-11-27T23:00:00.5Z"));
  }

  @Test
  void whatQemuWroteGoesToTheLogAndToAttachedSessionsOnceEvenAfterARestart() throws IOException {
    MicroVmPaths paths = new MicroVmPaths(dir, dir.resolve("run"));
    Path log = dir.resolve("ctr.log");
    OutputPump pump = new OutputPump(paths, log);
    AttachSession session = pump.subscribe(OutputPump.StdinSink.NONE);
    Files.writeString(paths.stdout(), "hello\n");
    Files.writeString(paths.stderr(), "oops\n");
    pump.drain();
    Files.writeString(paths.stdout(), "again\n", StandardOpenOption.APPEND);

    OutputPump restarted = new OutputPump(paths, log); // berthd restarted: carries on where the first stopped
    restarted.drain();
    restarted.drain();
    pump.end();

    List<LogEntry> entries = K8sFileLog.read(log);
    assertThat(K8sFileLog.text(entries, LogEntry.Stream.STDOUT)).isEqualTo("hello\nagain\n");
    assertThat(K8sFileLog.text(entries, LogEntry.Stream.STDERR)).isEqualTo("oops\n");
    assertThat(new String(session.read().data())).isEqualTo("hello\n");
    assertThat(new String(session.read().data())).isEqualTo("oops\n");
    assertThat(session.read()).isNull();
  }
}
