package dev.berth.engine.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DockerfileParserTest {

  @Test
  void stagesGlobalArgsAndInstructions() {
    Dockerfile df = Dockerfile.parse("""
        ARG BASE=busybox
        FROM $BASE AS build
        RUN echo hi > /x
        FROM busybox
        COPY --from=build /x /y
        CMD ["cat", "/y"]
        """);
    assertThat(df.globalArgs()).containsExactly(
        new Instruction.Arg(1, "ARG BASE=busybox", List.of(new ArgDecl("BASE", Optional.of("busybox")))));
    assertThat(df.stages()).hasSize(2);
    Stage build = df.stages().get(0);
    assertThat(build.from()).isEqualTo(
        new Instruction.From(2, "FROM $BASE AS build", "$BASE", Optional.of("build"), Optional.empty()));
    assertThat(build.instructions()).containsExactly(
        new Instruction.Run(3, "RUN echo hi > /x", new Command.Shell("echo hi > /x"), java.util.Map.of(), List.of()));
    Stage last = df.stages().get(1);
    assertThat(last.index()).isEqualTo(1);
    assertThat(last.instructions()).hasSize(2);
    assertThat(last.instructions().get(0)).isInstanceOfSatisfying(Instruction.Copy.class, c -> {
      assertThat(c.sources()).containsExactly("/x");
      assertThat(c.dest()).isEqualTo("/y");
      assertThat(c.from()).contains("build");
    });
    assertThat(last.instructions().get(1)).isEqualTo(
        new Instruction.Cmd(6, "CMD [\"cat\", \"/y\"]", new Command.Exec(List.of("cat", "/y"))));
  }

  @Test
  void unknownInstructionNamesItsLine() {
    assertThatThrownBy(() -> Dockerfile.parse("FROM busybox\n\nFOO bar\n"))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessage("dockerfile parse error line 3: unknown instruction: FOO");
  }

  @Test
  void fromNeedsOneOrThreeArguments() {
    assertThatThrownBy(() -> Dockerfile.parse("FROM busybox\nRUN x\nFROM a b\n"))
        .hasMessage("dockerfile parse error line 3: FROM requires either one or three arguments");
  }
}
