package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestCommandTest {
  @TempDir
  Path dir;

  /** Sources run.sh in a real sh, as this Berth's guest init does (it sets berth_exec), and prints what it set. */
  private List<String> sourced(GuestCommand c) throws IOException, InterruptedException {
    return sourced(c.script());
  }

  private List<String> sourced(String text) throws IOException, InterruptedException {
    return sourced(text, "berth_exec=1");
  }

  private List<String> sourced(String text, String initSets) throws IOException, InterruptedException {
    Path script = dir.resolve("run.sh");
    Files.writeString(script, text);
    Process p = new ProcessBuilder("sh", "-c", initSets + "; . \"$0\"; printf '%s\\n' \"$BERTH_WORKDIR\" \"$@\"",
        script.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return List.of(out.split("\n", -1)).subList(0, out.split("\n", -1).length - 1);
  }

  @Test
  void theGuestShellSeesEveryWordExactlyAsGiven() throws IOException, InterruptedException {
    GuestCommand c = new GuestCommand(List.of("A=it's $HOME", "B=`id` \"q\""), List.of("sh", "-c", "echo '$x'; exit 4"),
        "/work dir", 1000, 100);

    assertThat(sourced(c)).containsExactly("/work dir",
        GuestCommand.DEFAULT_PATH, "A=it's $HOME", "B=`id` \"q\"", "HOME=/",
        "/init", "--exec", "/work dir", "1000", "100", "--",
        "sh", "-c", "echo '$x'; exit 4");
  }

  @Test
  void theGuestOfAnOlderBerthWithoutInitExecEntersTheRootThroughNsenter() throws IOException, InterruptedException {
    GuestCommand c = new GuestCommand(List.of("A=1"), List.of("cat", "/ok"), "/w", 1000, 100);

    // an older init.sh sets no berth_exec (its /init would take --exec for a boot by hand)
    assertThat(sourced(c.script(), ":")).containsExactly("/w", GuestCommand.DEFAULT_PATH, "A=1", "HOME=/",
        "/bin/busybox", "nsenter", "-F", "--root=/newroot", "--wd=/newroot/w", "-S", "1000", "-G", "100", "--",
        "cat", "/ok");
  }

  @Test
  void aNulByteCannotGoIntoTheCommandFile() {
    GuestCommand c = new GuestCommand(List.of("A=x\0y"), List.of("true"), "/", 0, 0);

    assertThatThrownBy(c::commandFile).isInstanceOf(dev.berth.engine.BerthException.InvalidArgument.class)
        .hasMessageContaining("NUL");
  }

  @Test
  void theImagesPathAndHomeWinAndRootGetsRootsHome() throws IOException, InterruptedException {
    assertThat(sourced(new GuestCommand(List.of("PATH=/opt/bin", "HOME=/data"), List.of("true"), "", 0, 0)))
        .startsWith("/", "PATH=/opt/bin", "HOME=/data", "/init", "--exec");
    assertThat(sourced(new GuestCommand(List.of(), List.of("true"), "", 0, 0))).contains("HOME=/root");
  }

  @Test
  void aCommandKilledAfterATimeRunsUnderTheInitramfsTimeoutAroundTheBootHelper() throws IOException, InterruptedException {
    GuestCommand c = new GuestCommand(List.of(), List.of("cat", "/ok"), "", 0, 0);

    assertThat(sourced(c.scriptKilledAfter(3))).containsSubsequence("HOME=/root",
        "/bin/busybox", "timeout", "-s", "KILL", "3", "/init", "--exec", "/", "0", "0", "--")
        .endsWith("--", "cat", "/ok");
    assertThat(sourced(c.scriptKilledAfter(0))).contains("1"); // busybox timeout counts whole seconds, at least one
  }

  /** The command file's fields, split at each NUL; the file must end with one (berth-boot checks). */
  private static List<String> fields(byte[] file) {
    assertThat(file).endsWith((byte) 0);
    return List.of(new String(file, 0, file.length - 1, StandardCharsets.UTF_8).split("\0", -1));
  }

  @Test
  void theCommandFileCarriesEveryWordAsGivenWithNothingToUnquote() {
    GuestCommand c = new GuestCommand(List.of("A=it's $HOME", "B=a\nb c", "NOVALUE"), List.of("sh", "-c", "echo '$x'; exit 4", ""),
        "/work dir", 1000, 100);

    assertThat(fields(c.commandFile())).containsExactly("berth-command-1", "/work dir", "1000", "100", "4",
        GuestCommand.DEFAULT_PATH, "A=it's $HOME", "B=a\nb c", "HOME=/", "sh", "-c", "echo '$x'; exit 4", "");
  }

  @Test
  void theCommandFileHasTheImagesPathAndTheDefaultWorkdir() {
    assertThat(fields(new GuestCommand(List.of("PATH=/opt/bin"), List.of("true"), "", 0, 0).commandFile()))
        .containsExactly("berth-command-1", "/", "0", "0", "2", "PATH=/opt/bin", "HOME=/root", "true");
  }
}
