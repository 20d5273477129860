package dev.berth.cli.build;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** docker's .dockerignore rules (moby fileutils), case by case as its tests have them. */
class DockerIgnoreTest {

  @Test
  void plainNamesWildcardsAndParents() {
    DockerIgnore i = DockerIgnore.parse("# comment\n\nnode_modules\n*.log\n/build/\ndocs/*.md\n  spaced  \n");
    assertThat(i.excluded("node_modules")).isTrue();
    assertThat(i.excluded("node_modules/a/b.js")).as("a matched parent excludes its content").isTrue();
    assertThat(i.excluded("sub/node_modules")).as("no implicit ** prefix").isFalse();
    assertThat(i.excluded("app.log")).isTrue();
    assertThat(i.excluded("sub/app.log")).as("* stays in one element").isFalse();
    assertThat(i.excluded("build/x")).isTrue();
    assertThat(i.excluded("docs/a.md")).isTrue();
    assertThat(i.excluded("docs/sub/a.md")).isFalse();
    assertThat(i.excluded("spaced")).isTrue();
    assertThat(i.excluded("# comment")).isFalse();
    assertThat(i.excluded("src/Main.java")).isFalse();
  }

  @Test
  void doubleStarCrossesElements() {
    DockerIgnore i = DockerIgnore.parse("**/*.tmp\ncache/**\na/**/z");
    assertThat(i.excluded("x.tmp")).isTrue();
    assertThat(i.excluded("d/e/x.tmp")).isTrue();
    assertThat(i.excluded("cache/1/2")).isTrue();
    assertThat(i.excluded("a/z")).isTrue();
    assertThat(i.excluded("a/b/c/z")).isTrue();
    assertThat(i.excluded("b/z")).isFalse();
  }

  @Test
  void theLastMatchingRuleWinsAndExceptionsReinclude() {
    DockerIgnore i = DockerIgnore.parse("*.md\n!README.md\nREADME.md.bak\n");
    assertThat(i.excluded("CHANGES.md")).isTrue();
    assertThat(i.excluded("README.md")).isFalse();
    DockerIgnore j = DockerIgnore.parse("docs\n!docs/keep.txt\n");
    assertThat(j.excluded("docs/other.txt")).isTrue();
    assertThat(j.excluded("docs/keep.txt")).isFalse();
    assertThat(j.mayIncludeUnder("docs")).isTrue();
    assertThat(DockerIgnore.parse("docs\n").mayIncludeUnder("docs")).isFalse();
  }

  @Test
  void questionMarkClassesAndCleanedPaths() {
    DockerIgnore i = DockerIgnore.parse("file?.txt\n[ab].c\n./dir/../other\n");
    assertThat(i.excluded("file1.txt")).isTrue();
    assertThat(i.excluded("file12.txt")).isFalse();
    assertThat(i.excluded("a.c")).isTrue();
    assertThat(i.excluded("c.c")).isFalse();
    assertThat(i.excluded("other")).isTrue();
    assertThat(i.excluded("./other")).isTrue();
  }

  @Test
  void dotsAreLiteral() {
    DockerIgnore i = DockerIgnore.parse("a.b\n");
    assertThat(i.excluded("a.b")).isTrue();
    assertThat(i.excluded("axb")).isFalse();
  }
}
