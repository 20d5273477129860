package dev.berth.cli.command.files;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** commit's flags parse as docker's do. */
class CommitCommandTest {
  private static CommitCommand parse(String... args) {
    CommitCommand c = new CommitCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void pauseDefaultsToTrueAndTakesFalse() {
    assertThat(parse("web").pause).isTrue();
    assertThat(parse("-p", "web").pause).isTrue();
    assertThat(parse("-p", "web").container).isEqualTo("web");
    assertThat(parse("--pause=false", "web").pause).isFalse();
    assertThat(parse("-p=false", "web", "repo:tag").pause).isFalse();
  }

  @Test
  void changesRepeat() {
    CommitCommand c = parse("-c", "ENV A=1", "--change", "CMD [\"x\"]", "-a", "me", "-m", "msg", "web", "repo:tag");
    assertThat(c.changes).containsExactly("ENV A=1", "CMD [\"x\"]");
    assertThat(c.author).isEqualTo("me");
    assertThat(c.message).isEqualTo("msg");
    assertThat(c.reference).isEqualTo("repo:tag");
  }
}
