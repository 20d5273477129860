package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BerthCliTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return BerthCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void noDaemonMeansTheAgreedMessageAndExitOne() {
    String host = "unix://" + dir.resolve("absent.sock");
    assertThat(run("-H", host, "info")).isEqualTo(1);
    assertThat(err.toString().strip()).isEqualTo("Cannot connect to the Berth daemon at " + host + ". Is berthd running?");
  }

  @Test
  void versionStillShowsTheClientWithoutADaemon() {
    assertThat(run("-H", "unix://" + dir.resolve("absent.sock"), "version")).isEqualTo(1);
    assertThat(out.toString()).startsWith("Client:\n").contains("API version:").doesNotContain("Server:");
  }

  @Test
  void usageErrorsPointToHelpAndExit125() {
    assertThat(run("info", "--nope")).isEqualTo(125);
    assertThat(err.toString()).contains("Unknown option: '--nope'").contains("See 'berth info --help'.");
  }

  @Test
  void badHostIsExplained() {
    assertThat(run("-H", "ftp://x", "info")).isEqualTo(1);
    assertThat(err.toString()).contains("invalid daemon address \"ftp://x\"");
  }

  @Test
  void onlyCommandsThatConnectWarmUpTheSocketClasses() {
    assertThat(BerthCli.talksToTheDaemon(new String[] {"-H", "unix:///x.sock", "run", "busybox"})).isTrue();
    assertThat(BerthCli.talksToTheDaemon(new String[] {"version"})).isTrue();
    assertThat(BerthCli.talksToTheDaemon(new String[] {"--version"})).isFalse();
    assertThat(BerthCli.talksToTheDaemon(new String[] {"run", "--help"})).isFalse();
    assertThat(BerthCli.talksToTheDaemon(new String[] {"completion", "bash"})).isFalse();
    assertThat(BerthCli.talksToTheDaemon(new String[] {"no-such-command"})).isFalse();
    assertThat(BerthCli.talksToTheDaemon(new String[0])).isFalse();
  }

  @Test
  void completionScriptNamesTheCommands() {
    assertThat(run("completion", "bash")).isZero();
    assertThat(out.toString()).contains("complete -F").contains("version").contains("info");
    assertThat(run("completion", "tcsh")).isEqualTo(1);
    assertThat(err.toString()).contains("unsupported shell \"tcsh\"");
  }
}
