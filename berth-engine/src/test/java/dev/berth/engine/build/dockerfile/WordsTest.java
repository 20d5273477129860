package dev.berth.engine.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The two word splitters moby's parser has (parseWords, extractBuilderFlags), now one scanner. */
class WordsTest {
  @Test
  void wordsKeepTheirQuotesAndEscapesForExpansion() {
    assertThat(Words.parseWords("a \"b c\" d\\ e 'f\\ g'", '\\')).containsExactly("a", "\"b c\"", "d\\ e", "'f\\ g'");
    assertThat(Words.parseWords("x `y ''", '`')).as("the escape directive's character; an empty quote is a word")
        .containsExactly("x", "`y", "''");
  }

  @Test
  void flagsAreTheLeadingDashDashWordsUnquotedAndALoneDashDashEndsThem() {
    Words.Flagged f = Words.extractFlags("--from=build --chown=\"a b\" -- --not-a-flag cmd");
    assertThat(f.flags()).containsExactly("--from=build", "--chown=a b");
    assertThat(f.rest()).isEqualTo(" --not-a-flag cmd");

    Words.Flagged g = Words.extractFlags("--link 'x\\y' src dst");
    assertThat(g.flags()).containsExactly("--link");
    assertThat(g.rest()).isEqualTo("'x\\y' src dst");
  }
}
