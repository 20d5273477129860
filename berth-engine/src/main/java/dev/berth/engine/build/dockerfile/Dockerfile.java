package dev.berth.engine.build.dockerfile;

import java.util.List;
import java.util.Optional;

/**
 * A parsed Dockerfile: Berth's Dockerfile frontend. Pure: no I/O, words kept raw (see
 * {@link Instruction}).
 *
 * <p>Errors are {@link dev.berth.engine.BerthException.InvalidArgument} with dockerd's words
 * ({@code Dockerfile parse error line 3: unknown instruction: FOO}). The brief asked for a
 * {@code DockerfileSyntaxException extends InvalidArgument}; {@code InvalidArgument} is final in
 * the sealed {@code BerthException} hierarchy, so the parser throws {@code InvalidArgument}
 * itself (the daemon maps it to 400 like any other). See docs/decisions/0100.
 *
 * @param escape the escape character: {@code \} or, by the {@code # escape=`} directive, {@code `}
 * @param syntax the {@code # syntax=} directive's value; Berth does not run frontend images, so
 *     it is only recorded (and a warning added)
 * @param globalArgs the ARG instructions before the first FROM (they may be used in FROM lines)
 * @param stages the stages, in order
 * @param warnings what Docker would warn about (empty continuation lines, ignored directives)
 */
public record Dockerfile(char escape, Optional<String> syntax, List<Instruction> globalArgs, List<Stage> stages,
    List<String> warnings) {

  public Dockerfile {
    globalArgs = List.copyOf(globalArgs);
    stages = List.copyOf(stages);
    warnings = List.copyOf(warnings);
  }

  /**
   * Parses a Dockerfile's text.
   *
   * @throws dev.berth.engine.BerthException.InvalidArgument for an empty file or a syntax error,
   *     naming the line as dockerd does
   */
  public static Dockerfile parse(String text) {
    return new DockerfileParser(text).parse();
  }

  /**
   * Parses one instruction, as an image's {@code OnBuild} list stores its triggers (the escape
   * character is {@code \}, as Docker re-reads them). The instruction's line is 1.
   */
  public static Instruction parseInstruction(String line) {
    return DockerfileParser.parseOne(line);
  }

  /** All instructions in file order: global ARGs, then each stage's FROM and instructions. */
  public List<Instruction> instructions() {
    List<Instruction> all = new java.util.ArrayList<>(globalArgs);
    for (Stage stage : stages) {
      all.add(stage.from());
      all.addAll(stage.instructions());
    }
    return List.copyOf(all);
  }
}
