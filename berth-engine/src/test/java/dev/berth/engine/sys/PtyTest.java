package dev.berth.engine.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PtyTest {
  @Test
  void aRawPtyPassesNewlinesAndSizeThrough() throws Exception {
    try (Pty pty = Pty.open()) {
      pty.makeRaw();
      pty.resize(33, 77);
      // Cooked, the line discipline would print "\r\n" for "\n"; raw, the bytes pass unchanged.
      Process p = new ProcessBuilder("/bin/sh", "-c", "stty size <\"$0\"; printf 'a\\nb\\n' >\"$0\"",
          pty.slave().toString()).redirectErrorStream(true).start();
      String stty = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(stty).isEqualTo("33 77\n");
      assertThat(readAtLeast(pty.input(), 4)).isEqualTo("a\nb\n");
    }
  }

  @Test
  void aCookedPtyTranslatesNewlines() throws Exception {
    try (Pty pty = Pty.open()) {
      Process p = new ProcessBuilder("/bin/sh", "-c", "printf 'a\\n' >\"$0\"", pty.slave().toString()).start();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(readAtLeast(pty.input(), 3)).isEqualTo("a\r\n");
    }
  }

  @Test
  void signalsReachTheProcessAndAGoneProcessIsNoError() throws Exception {
    Process p = new ProcessBuilder(List.of("/bin/sh", "-c",
        "trap 'echo got-winch; exit 0' WINCH; echo ready; while :; do sleep 0.05; done")).start();
    InputStream out = p.getInputStream();
    assertThat(readLine(out)).isEqualTo("ready");
    ProcessSignal.send(p.pid(), ProcessSignal.SIGWINCH);
    assertThat(readLine(out)).isEqualTo("got-winch");
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    ProcessSignal.send(p.pid(), ProcessSignal.SIGWINCH); // reaped: ESRCH, ignored
  }

  private static String readAtLeast(InputStream in, int n) throws IOException {
    StringBuilder s = new StringBuilder();
    byte[] buf = new byte[64];
    while (s.length() < n) {
      int r = in.read(buf);
      if (r < 0) {
        break;
      }
      s.append(new String(buf, 0, r, StandardCharsets.UTF_8));
    }
    return s.toString();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      s.append((char) c);
    }
    return s.toString();
  }
}
