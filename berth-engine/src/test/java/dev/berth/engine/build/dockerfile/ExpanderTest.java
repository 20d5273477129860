package dev.berth.engine.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Docker's word expansion (Dockerfile reference, "Environment replacement"). Expected values
 * follow the reference and dockerd 20.10's results; the error words are dockerd's (each was
 * produced by a real dockerd 20.10 build of a one-instruction Dockerfile). The corpus test
 * (DockerfileCorpusTest) checks the same expander against whole dockerd builds.
 */
class ExpanderTest {
  private static final Map<String, String> VARS =
      Map.of("HOME", "/home/me", "NAME", "berth", "EMPTY", "", "TWO", "a b", "UNI", "ĉu-ĝi");
  private final Expander expander = Expander.DEFAULT;

  @ParameterizedTest(name = "[{0}] -> [{1}]")
  @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
      // variables
      "$HOME|/home/me",
      "${HOME}/bin|/home/me/bin",
      "pre$NAME.post|preberth.post",
      "$NAMEx|",                               // the name is the longest run of letters, digits, _
      "${NAME}x|berthx",
      "$UNKNOWN|",
      "a${UNKNOWN}b|ab",
      "$UNI|ĉu-ĝi",
      "$1|",                                   // a positional parameter: never set
      "x$9y|xy",
      "$.|$.",                                 // no name: the $ stays
      "cost$|cost$",
      // defaults and alternatives, with and without the colon
      "${UNKNOWN:-fallback}|fallback",
      "${EMPTY:-fallback}|fallback",
      "${NAME:-fallback}|berth",
      "${UNKNOWN-fallback}|fallback",
      "${EMPTY-fallback}|",                    // set, though empty: no default without the colon
      "${NAME:+alt}|alt",
      "${EMPTY:+alt}|",
      "${UNKNOWN:+alt}|",
      "${EMPTY+alt}|alt",                      // set, though empty
      "${UNKNOWN+alt}|",
      "${UNKNOWN:-${NAME:-x}}|berth",          // nested
      "${UNKNOWN:-$HOME/x}|/home/me/x",
      "${UNKNOWN:-a b}|a b",
      "${NAME:+${HOME}:}|/home/me:",
      "${NAME:?must be set}|berth",
      "${EMPTY?must be set}|",
      "${x}}|}",
      // quotes
      "'$HOME'|$HOME",
      "\"$HOME\"|/home/me",
      "\"it's\"|it's",
      "'say \"hi\"'|say \"hi\"",
      "he'll'o|hello",
      "\"a\\\"b\"|a\"b",                       // \" inside double quotes
      "\"a\\$b\"|a$b",
      "\"a\\\\b\"|a\\b",
      "\"a\\tb\"|a\\tb",                       // other escapes stay inside double quotes
      "'a\\tb'|a\\tb",
      "'\\$HOME'|\\$HOME",
      // the escape character outside quotes
      "\\$HOME|$HOME",
      "\\\\$HOME|\\/home/me",
      "a\\tb|atb",
      "it\\'s|it's",
      "end\\|end",                             // a lone escape at the end is dropped
      "\\${}|${}",
      "${UNKNOWN:-\\$HOME}|$HOME",
      // blanks are kept by expand
      "a  b|a  b",
      "$TWO|a b",
  })
  void expandsOneWordAsDocker(String word, String expected) {
    // CsvSource reads an empty column as null
    assertThat(expander.expand(word, VARS)).isEqualTo(expected == null ? "" : expected);
  }

  @ParameterizedTest(name = "[{0}] fails: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
      "${b|failed to process \"${b\": missing ':' in substitution",
      "\"x|failed to process \"\"x\": unexpected end of statement while looking for matching double-quote",
      "'x|failed to process \"'x\": unexpected end of statement while looking for matching single-quote",
      "${}|failed to process \"${}\": syntax error: bad substitution",
      "${:-x}|failed to process \"${:-x}\": syntax error: bad substitution",
      "${{x}|failed to process \"${{x}\": syntax error: bad substitution",
      "${x:=y}|failed to process \"${x:=y}\": unsupported modifier (=) in substitution",
      "${x:y}|failed to process \"${x:y}\": unsupported modifier (y) in substitution",
      "${x:-y|failed to process \"${x:-y\": syntax error: missing '}'",
      "${x%y}|failed to process \"${x%y}\": missing ':' in substitution",
      "${.}|failed to process \"${.}\": missing ':' in substitution",
      "${UNKNOWN:?}|failed to process \"${UNKNOWN:?}\": UNKNOWN: is not allowed to be unset",
      "${EMPTY:?}|failed to process \"${EMPTY:?}\": EMPTY: is not allowed to be empty",
      "${UNKNOWN?set it}|failed to process \"${UNKNOWN?set it}\": UNKNOWN: set it",
  })
  void badSubstitutionsFailInDockersWords(String word, String message) {
    assertThatThrownBy(() -> expander.expand(word, VARS))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessage(message);
  }

  @Test
  void wordsSplitOnUnquotedBlanksAfterExpansion() {
    assertThat(expander.expandWords("$TWO", VARS)).containsExactly("a", "b");
    assertThat(expander.expandWords("\"$TWO\"", VARS)).containsExactly("a b");
    assertThat(expander.expandWords("'x y' z", VARS)).containsExactly("x y", "z");
    assertThat(expander.expandWords("x\\ y", VARS)).containsExactly("x y");
    assertThat(expander.expandWords("  80   443/udp ", VARS)).containsExactly("80", "443/udp");
    assertThat(expander.expandWords("pre$TWO", VARS)).containsExactly("prea", "b");
    assertThat(expander.expandWords("$EMPTY", VARS)).isEmpty();
    assertThat(expander.expandWords("\"\"", VARS)).isEmpty();
    assertThat(expander.expandWords("", VARS)).isEmpty();
  }

  @Test
  void aBacktickEscapeLeavesBackslashesAlone() {
    Expander backtick = new Expander('`');
    assertThat(backtick.escape()).isEqualTo('`');
    assertThat(backtick.expand("C:\\path\\$NAME", VARS)).isEqualTo("C:\\path\\berth");
    assertThat(backtick.expand("`$NAME", VARS)).isEqualTo("$NAME");
    assertThat(backtick.expand("\"say `\"hi`\"\"", VARS)).isEqualTo("say \"hi\"");
    assertThat(backtick.expand("\"a\\\"", VARS)).isEqualTo("a\\");
  }

  @Test
  void instructionsDockerExpands() {
    assertThat(Expander.EXPANDED_INSTRUCTIONS).containsExactlyInAnyOrder(
        "ADD", "ARG", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR");
    Dockerfile df = Dockerfile.parse("FROM a\nRUN echo $X\nCMD $X\nWORKDIR $X\nONBUILD RUN $X\n");
    List<Instruction> in = df.instructions();
    assertThat(in).extracting(Expander::expands).containsExactly(true, false, false, true, false);
  }
}
