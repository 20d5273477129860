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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Assertions;
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

  @Test
  void withTheOutputShareTheGuestsOwnFilesAreRead() throws IOException {
    MicroVmPaths paths = new MicroVmPaths(dir, dir.resolve("run"));
    MicroVmRuntime.prepareOutput(paths, true);
    Path log = dir.resolve("ctr.log");
    OutputPump pump = new OutputPump(paths, log);
    Files.writeString(paths.outputStdout(), "out\nvia\n");
    Files.writeString(paths.outputStderr(), "err\n");
    Files.writeString(paths.stdout(), "not this\n"); // a port's file is not read while the share is there

    pump.drain();

    List<LogEntry> entries = K8sFileLog.read(log);
    assertThat(K8sFileLog.text(entries, LogEntry.Stream.STDOUT)).isEqualTo("out\nvia\n");
    assertThat(K8sFileLog.text(entries, LogEntry.Stream.STDERR)).isEqualTo("err\n");
  }

  @Test
  void aGuestsLinkToAHostFileOrItsFifoIsNotReadAndDoesNotBlock() throws Exception {
    MicroVmPaths paths = new MicroVmPaths(dir, dir.resolve("run"));
    MicroVmRuntime.prepareOutput(paths, true);
    Path secret = Files.writeString(dir.resolve("shadow"), "root:secret\n");
    Path log = dir.resolve("ctr.log");
    OutputPump pump = new OutputPump(paths, log);
    Files.writeString(paths.outputStdout(), "before\n");
    pump.drain();
    // what a hostile guest can do in its share (with security_model=none QEMU would make them on the host)
    Files.delete(paths.outputStdout());
    Files.createSymbolicLink(paths.outputStdout(), secret);
    Files.delete(paths.outputStderr());
    Process mkfifo = new ProcessBuilder("mkfifo", paths.outputStderr().toString()).start();
    assertThat(mkfifo.waitFor()).isZero();

    Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertThat(pump.drain()).isZero();
      assertThat(pump.drain()).isZero();
    });

    String text = Files.readString(log);
    assertThat(text).contains("before").doesNotContain("secret");
    assertThat(Files.readString(secret)).isEqualTo("root:secret\n");
  }

  @Test
  void theNextLaunchDeletesTheGuestsLinksWithoutFollowingThem() throws IOException {
    MicroVmPaths paths = new MicroVmPaths(dir.resolve("vm"), dir.resolve("run"));
    Path hostDir = Files.createDirectories(dir.resolve("host-dir"));
    Path kept = Files.writeString(hostDir.resolve("keep"), "keep\n");
    MicroVmRuntime.prepareOutput(paths, true);
    Files.writeString(paths.outputStdout(), "last run\n");
    Files.createSymbolicLink(paths.outputDir().resolve("link"), hostDir);
    Files.delete(paths.outputStderr());
    Files.createSymbolicLink(paths.outputStderr(), kept);

    MicroVmRuntime.prepareOutput(paths, true);

    assertThat(Files.readString(kept)).isEqualTo("keep\n"); // the link's target is untouched
    try (var files = Files.list(paths.outputDir())) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList()).containsExactly("stderr", "stdout");
    }
    assertThat(Files.isRegularFile(paths.outputStderr(), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(Files.size(paths.outputStdout())).isZero();

    MicroVmRuntime.prepareOutput(paths, false); // with a terminal or stdin: no share, the ports' files are read
    assertThat(Files.exists(paths.outputDir())).isFalse();
    assertThat(Files.exists(kept)).isTrue();
  }
}
