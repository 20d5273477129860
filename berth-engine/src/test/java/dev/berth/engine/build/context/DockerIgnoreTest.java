package dev.berth.engine.build.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * .dockerignore against what docker really leaves out: for each resources/dockerignore/NAME.ignore,
 * NAME.included lists the files a {@code COPY . /ctx} saw when the docker CLI (28) sent this
 * tree to dockerd 20.10 with that .dockerignore (recorded by record-oracle.sh there).
 */
class DockerIgnoreTest {
  /** The context the oracle was recorded with. */
  static final List<String> TREE = List.of("Dockerfile", ".dockerignore", "a.txt", "b.md", ".hidden", "dir/c.txt",
      "dir/d.md", "dir/sub/e.txt", "dir/sub/deep/f.txt", "other/g.txt", "other/dir/h.txt", "node_modules/pkg/index.js",
      "node_modules/pkg/README.md", "x[1].txt", "spaced name.txt");

  private static Path dir() {
    try {
      return Path.of(Objects.requireNonNull(DockerIgnoreTest.class.getResource("/dockerignore")).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> excludesWhatDockerExcludes() throws IOException {
    List<Path> cases;
    try (Stream<Path> files = Files.list(dir())) {
      cases = files.filter(p -> p.toString().endsWith(".ignore")).sorted().toList();
    }
    assertThat(cases).hasSizeGreaterThan(20);
    return cases.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      DockerIgnore ignore = DockerIgnore.parse(Files.readString(file));
      Path expectedFile = file.resolveSibling(file.getFileName().toString().replace(".ignore", ".included"));
      List<String> expected = Files.readAllLines(expectedFile).stream().sorted().toList();
      List<String> kept = TREE.stream().filter(f -> !ignore.excluded(f)).sorted().toList();
      assertThat(kept).as("excluded()").containsExactlyElementsOf(expected);
      assertThat(walk(ignore)).as("a walk that skips with canSkipDirectory").containsExactlyElementsOf(expected);
    }));
  }

  /** The files a walk of TREE keeps when it never enters a directory canSkipDirectory skips. */
  private static List<String> walk(DockerIgnore ignore) {
    TreeSet<String> kept = new TreeSet<>();
    for (String file : TREE) {
      String[] parts = file.split("/");
      boolean reached = true;
      String prefix = "";
      for (int i = 0; i < parts.length - 1 && reached; i++) {
        prefix = prefix.isEmpty() ? parts[i] : prefix + "/" + parts[i];
        reached = !ignore.canSkipDirectory(prefix);
      }
      if (reached && !ignore.excluded(file)) {
        kept.add(file);
      }
    }
    return new ArrayList<>(kept);
  }

  @Test
  void patternsAreCleanedAsDockerReadsThem() {
    DockerIgnore ignore = DockerIgnore.parse("\uFEFF# comment\n  /abs/path  \n./rel//x/\n! keep \n\n  # not a comment\n");
    assertThat(ignore.patterns()).containsExactly("abs/path", "rel/x", "!keep", "# not a comment");
  }

  @Test
  void crlfLinesAreTrimmed() {
    DockerIgnore ignore = DockerIgnore.parse("*.log\r\n!keep.log\r\n");
    assertThat(ignore.excluded("a.log")).isTrue();
    assertThat(ignore.excluded("keep.log")).isFalse();
  }

  @Test
  void aLoneBangAndABadClassAreRefused() {
    assertThatThrownBy(() -> DockerIgnore.parse("!\n")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("illegal exclusion pattern: \"!\"");
    assertThatThrownBy(() -> DockerIgnore.parse("[a-\n")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("syntax error in pattern");
  }

  @Test
  void theContextItselfIsNeverExcluded() {
    DockerIgnore ignore = DockerIgnore.parse("*\n**\n.\n");
    assertThat(ignore.excluded(".")).isFalse();
    assertThat(ignore.excluded("")).isFalse();
    assertThat(ignore.excluded("anything")).isTrue();
  }

  @Test
  void pathsAreCleanedBeforeMatching() {
    DockerIgnore ignore = DockerIgnore.parse("dir/sub\n");
    assertThat(ignore.excluded("./dir/sub/x")).isTrue();
    assertThat(ignore.excluded("dir//sub/")).isTrue();
    assertThat(ignore.excluded("/dir/sub")).isTrue();
    assertThat(ignore.excluded("dir/other/../sub/y")).isTrue();
    assertThat(ignore.excluded("dir")).isFalse();
  }

  @Test
  void directoriesAreSkippedUnlessAnExceptionNamesAPathInThem() {
    DockerIgnore ignore = DockerIgnore.parse("node_modules\n!node_modules/keep/me.js\nlogs\n");
    assertThat(ignore.canSkipDirectory("logs")).isTrue();
    assertThat(ignore.canSkipDirectory("node_modules")).isFalse();
    assertThat(ignore.canSkipDirectory("node_modules/keep")).isFalse();
    assertThat(ignore.canSkipDirectory("node_modules/other")).isTrue();
    assertThat(ignore.canSkipDirectory("src")).isFalse(); // not excluded
    assertThat(ignore.canSkipDirectory("logs/deeper")).isTrue(); // under a skipped directory
    assertThat(DockerIgnore.parse("build\n").canSkipDirectory("build")).isTrue(); // no exceptions at all
  }

  @Test
  void theBuildFilesAreKeptForSending() {
    DockerIgnore ignore = DockerIgnore.parse("*\n");
    assertThat(ignore.excluded("Dockerfile")).isTrue(); // hidden from COPY by the daemon...
    DockerIgnore sent = ignore.keepingBuildFiles("build/app.Dockerfile");
    assertThat(sent.patterns()).containsExactly("*", "!.dockerignore", "!build/app.Dockerfile");
    assertThat(sent.excluded(".dockerignore")).isFalse(); // ...but sent
    assertThat(sent.excluded("build/app.Dockerfile")).isFalse();
    assertThat(sent.excluded("build/other")).isTrue();
    DockerIgnore nothingToKeep = DockerIgnore.parse("*.log\n");
    assertThat(nothingToKeep.keepingBuildFiles("Dockerfile").patterns()).containsExactly("*.log");
  }

  @Test
  void suffixAndPrefixDoubleStars() {
    DockerIgnore ignore = DockerIgnore.of(List.of("**/tmp", "cache/**", "**.bak"));
    assertThat(ignore.excluded("tmp")).isTrue();
    assertThat(ignore.excluded("a/b/tmp")).isTrue();
    assertThat(ignore.excluded("a/btmp")).isFalse();
    assertThat(ignore.excluded("cache/x/y")).isTrue();
    assertThat(ignore.excluded("cache")).isFalse();
    assertThat(ignore.excluded("deep/x.bak")).isTrue();
    assertThat(ignore.excluded("x.bakery")).isFalse();
  }
}
