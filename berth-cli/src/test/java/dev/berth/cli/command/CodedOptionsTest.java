package dev.berth.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

class CodedOptionsTest {
  /** A command declared the way berth's hot commands are. */
  static final class Sample implements Callable<Integer> {
    final CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("sample");
    final CodedOptions declared = new CodedOptions(spec);
    boolean quiet;
    Integer count;
    String image;
    final List<String> env = new ArrayList<>();
    final List<String> rest = new ArrayList<>();

    Sample() {
      spec.usageMessage().description("A sample");
      declared.usageHelp("--help");
      declared.flag("Say less", v -> quiet = v, "-q", "--quiet");
      declared.value(Integer.class, "N", "How many", v -> count = v, "-n", "--count");
      declared.list(String.class, "KEY=VALUE", "An environment variable", env, "-e", "--env");
      declared.positional(0, "IMAGE", "The image", v -> image = v);
      declared.rest(1, "COMMAND", rest);
    }

    @Override
    public Integer call() {
      declared.read();
      return quiet ? 7 : 0;
    }
  }

  @Test
  void valuesReachTheFieldsAfterParsing() {
    Sample s = new Sample();
    CommandLine cli = new CommandLine(s.spec);
    cli.setStopAtPositional(true);
    int code = cli.execute("-q", "-n", "3", "-e", "A=1", "--env", "B=2", "busybox", "sh", "-c", "exit 3");
    assertThat(code).isEqualTo(7);
    assertThat(s.quiet).isTrue();
    assertThat(s.count).isEqualTo(3);
    assertThat(s.env).containsExactly("A=1", "B=2");
    assertThat(s.image).isEqualTo("busybox");
    assertThat(s.rest).containsExactly("sh", "-c", "exit 3");
  }

  @Test
  void absentOptionsLeaveTheDefaults() {
    Sample s = new Sample();
    assertThat(new CommandLine(s.spec).execute("busybox")).isZero();
    assertThat(s.quiet).isFalse();
    assertThat(s.count).isNull();
    assertThat(s.env).isEmpty();
    assertThat(s.rest).isEmpty();
  }

  @Test
  void badInputIsAUsageErrorAndHelpDescribesEveryOption() {
    CommandLine cli = new CommandLine(new Sample().spec);
    assertThatThrownBy(() -> cli.parseArgs("-q")).hasMessageContaining("IMAGE");
    assertThatThrownBy(() -> cli.parseArgs("-n", "many", "busybox")).hasMessageContaining("--count").hasMessageContaining("many");
    StringWriter help = new StringWriter();
    cli.usage(new PrintWriter(help));
    assertThat(help.toString()).contains("A sample").contains("-q, --quiet").contains("Say less")
        .contains("-n, --count=N").contains("-e, --env=KEY=VALUE").contains("IMAGE").contains("The image")
        .contains("[COMMAND...]").contains("--help");
  }
}
