package dev.berth.engine.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Heredocs as BuildKit reads them (Docker's Dockerfile reference, "Here-documents"; dockerd
 * 20.10's classic builder has none). The corpus covers the cases BuildKit's own parser tests
 * cover: empty bodies, a file descriptor prefix, quoted words that are not heredocs, {@code <<-}
 * (leading tabs removed from the body and the delimiter line), quoted or partly quoted
 * delimiters (no expansion), several heredocs on one line, the JSON form (no heredocs), blanks
 * after {@code <<}, and words after the heredoc.
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
        List.of(), // ENV WHO=world
        List.of(), // RUN true
        List.of(doc("NOTHING", "", true, false)),
        List.of(doc("FD", "", true, false)), // RUN 5<<FD
        List.of(), // RUN "<<QUOTED"
        List.of(doc("KEEP", "\tone\n\ttwo\n", true, false)),
        List.of(doc("TABS", "one\ntwo\n", true, true)),
        List.of(doc("TABS2", "three\n", true, true)), // the delimiter line may be indented too
        List.of(doc("VARS", "hello $WHO\n", true, true)),
        List.of(doc("RAW", "hello $WHO\n", false, true)),
        List.of(doc("SCRIPT", "set -e\necho first\n", true, false)),
        List.of(doc("HASH", "# not a comment for the Dockerfile\necho after # still content\n", true, false)),
        List.of(doc("FLAGGED", "echo flagged\n", true, false)),
        List.of(doc("A.txt", "alpha\n", true, false), doc("B.txt", "beta\n", true, false)),
        List.of(doc("END", "\"double\"\n'single'\n", true, false)),
        List.of(doc("ONE", "TWO\n", true, false), doc("TWO", "ONE\n", true, false)),
        List.of(doc("PY", "print(1)\n", true, false)),
        List.of(doc("name.conf", "key=value\n", true, false)),
        List.of(doc("part", "echo part\n", false, false)), // <<pa'rt': partly quoted
        List.of(doc("pa'rt", "echo part\n", true, false)), // <<pa\'rt: an escaped quote is no quoting
        List.of(doc("pa'rt", "echo part\n", false, false)), // <<'p'a\'rt
        List.of(doc("two words", "echo words\n", false, false)),
        List.of(doc("$VAR", "", true, false)),
        List.of(doc("SPACED", "", true, false)), // <<   SPACED
        List.of(doc("SPACED", "", true, false)), // <<   SPACED  > /out
        List.of(), // RUN ["<<JSON"]: the JSON form has no heredocs
        List.of(), // RUN ["<<'JSON'"]
        List.of(), // RUN '<<SINGLE': quoted
        List.of(doc("DQ", "x\ty\n", false, true)));
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
