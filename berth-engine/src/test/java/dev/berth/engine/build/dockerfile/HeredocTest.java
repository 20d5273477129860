package dev.berth.engine.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Heredocs as BuildKit reads them. The corpus and the expected names, contents and expand flags
 * are those of BuildKit's own parser test (frontend/dockerfile/parser/parser_heredoc_test.go,
 * TestParseExtractsHeredoc and TestParseJSONHeredoc), without its two lines that are not valid
 * instructions; contents of {@code <<-} heredocs have their leading tabs removed, as BuildKit's
 * ChompHeredocContent does before use.
 */
class HeredocTest {

  static String resource(String name) {
    try (InputStream in = HeredocTest.class.getResourceAsStream("/dockerfiles/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<Heredoc> heredocs(Instruction i) {
    return switch (i) {
      case Instruction.Run r -> r.heredocs();
      case Instruction.Copy c -> c.heredocs();
      case Instruction.Add a -> a.heredocs();
      default -> List.of();
    };
  }

  private static Heredoc doc(String name, String content, boolean expand, boolean chomp) {
    return new Heredoc(name, content, expand, chomp);
  }

  @Test
  void buildKitsHeredocCorpus() {
    Dockerfile df = Dockerfile.parse(resource("heredocs.Dockerfile"));
    List<Instruction> in = df.stages().getFirst().instructions();
    List<List<Heredoc>> expected = List.of(
        List.of(), // ENV NAME=me
        List.of(), // RUN ls
        List.of(doc("EMPTY", "", true, false)),
        List.of(doc("EMPTY2", "", true, false)), // RUN 3<<EMPTY2
        List.of(), // RUN "<<NOHEREDOC"
        List.of(doc("INDENT", "\tfoo\n\tbar\n", true, false)),
        List.of(doc("UNINDENT", "baz\nquux\n", true, true)),
        List.of(doc("UNINDENT2", "baz\nquux\n", true, true)),
        List.of(doc("EXPAND", "expand $NAME\n", true, true)),
        List.of(doc("NOEXPAND", "don't expand $NAME\n", false, true)),
        List.of(doc("COPY", "echo hello world\necho foo bar\n", true, false)),
        List.of(doc("COMMENT", "# internal comment\necho hello world\necho foo bar # trailing comment\n", true, false)),
        List.of(doc("MOUNT", "echo hello\n", true, false)),
        List.of(doc("FILE1", "content 1\n", true, false), doc("FILE2", "content 2\n", true, false)),
        List.of(doc("EOF", "\"foo\"\n'bar'\n", true, false)),
        List.of(doc("X", "Y\n", true, false), doc("Y", "X\n", true, false)),
        List.of(doc("COMPLEX", "print('hello world')\n", true, false)),
        List.of(doc("file.txt", "hello world\n", true, false)),
        List.of(doc("eof", "echo foo\n", false, false)), // RUN <<eo'f'
        List.of(doc("eo'f", "echo foo\n", true, false)), // RUN <<eo\'f
        List.of(doc("eo'f", "echo foo\n", false, false)), // RUN <<'e'o\'f
        List.of(doc("one two", "echo bar\n", false, false)),
        List.of(doc("$EOF", "", true, false)),
        List.of(doc("EOF", "", true, false)), // RUN <<  EOF
        List.of(doc("EOF", "", true, false)), // RUN <<  EOF  > foo
        List.of(), // RUN ["<<EOF"]: the JSON form has no heredocs
        List.of(), // RUN ["<<'EOF'"]
        List.of(), // RUN '<<EOF': quoted
        List.of(doc("EOF", "a\ttab\n", false, true)));
    assertThat(in).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(heredocs(in.get(i))).as("instruction %d: %s", i, in.get(i).original()).isEqualTo(expected.get(i));
    }
  }

  @Test
  void heredocLinesAreNotInstructionsAndLineNumbersGoOn() {
    Dockerfile df = Dockerfile.parse("FROM a\nRUN <<EOF\nFOO bar\nEOF\nUSER x\n");
    List<Instruction> in = df.stages().getFirst().instructions();
    assertThat(in.get(0).line()).isEqualTo(2);
    assertThat(in.get(0).original()).isEqualTo("RUN <<EOF");
    assertThat(((Instruction.Run) in.get(0)).command()).isEqualTo(new Command.Shell("<<EOF"));
    assertThat(in.get(1)).isEqualTo(new Instruction.User(5, "USER x", "x"));
  }

  @Test
  void copyHeredocsAreSourcesBesideFiles() {
    Dockerfile df = Dockerfile.parse("FROM a\nCOPY --chown=1:1 <<a.txt real.txt <<b.txt /dst/\nA\na.txt\nB\nb.txt\n");
    Instruction.Copy copy = (Instruction.Copy) df.stages().getFirst().instructions().getFirst();
    assertThat(copy.sources()).containsExactly("real.txt");
    assertThat(copy.dest()).isEqualTo("/dst/");
    assertThat(copy.chown()).contains("1:1");
    assertThat(copy.heredocs()).containsExactly(doc("a.txt", "A\n", true, false), doc("b.txt", "B\n", true, false));
  }

  @Test
  void crlfLinesEndTheHeredoc() {
    Dockerfile df = Dockerfile.parse("FROM a\r\nRUN <<EOF\r\necho hi\r\nEOF\r\nUSER x\r\n");
    Instruction.Run run = (Instruction.Run) df.stages().getFirst().instructions().getFirst();
    assertThat(run.heredocs()).containsExactly(doc("EOF", "echo hi\r\n", true, false));
    assertThat(df.stages().getFirst().instructions().get(1).original()).isEqualTo("USER x");
  }

  @Test
  void onlyRunCopyAndAddOpenHeredocs() {
    assertThatThrownBy(() -> Dockerfile.parse("FROM a\nUSER <<INVALID\nINVALID\n"))
        .hasMessage("dockerfile parse error line 3: unknown instruction: INVALID");
  }

  @Test
  void anUnterminatedHeredocNamesItsInstructionsLine() {
    assertThatThrownBy(() -> Dockerfile.parse("FROM a\nRUN <<EOF\necho hi\n"))
        .hasMessage("dockerfile parse error line 2: unterminated heredoc");
  }

  @Test
  void aHeredocCannotBeTheDestination() {
    assertThatThrownBy(() -> Dockerfile.parse("FROM a\nCOPY x <<EOF\nhi\nEOF\n"))
        .hasMessage("dockerfile parse error line 2: COPY cannot accept a heredoc as a destination");
  }
}
