package dev.berth.cli.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The CLI's matcher against the engine's corpus (each .ignore with what docker 28 + dockerd 20.10
 * kept of one tree, recorded by build-parser): the two copies of the rules may not drift apart
 * (decision 0250). Read from the engine module's test resources, beside this module.
 */
class DockerIgnoreCorpusTest {
  static final List<String> TREE = List.of("Dockerfile", ".dockerignore", "a.txt", "b.md", ".hidden", "dir/c.txt",
      "dir/d.md", "dir/sub/e.txt", "dir/sub/deep/f.txt", "other/g.txt", "other/dir/h.txt", "node_modules/pkg/index.js",
      "node_modules/pkg/README.md", "x[1].txt", "spaced name.txt");
  static final Path CORPUS = Path.of("..", "berth-engine", "src", "test", "resources", "dockerignore");

  @TestFactory
  Stream<DynamicTest> keepsWhatDockerKeeps() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(CORPUS), "the engine's corpus is not at " + CORPUS.toAbsolutePath());
    List<Path> cases;
    try (Stream<Path> files = Files.list(CORPUS)) {
      cases = files.filter(p -> p.toString().endsWith(".ignore")).sorted().toList();
    }
    assertThat(cases).hasSizeGreaterThan(20);
    return cases.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      DockerIgnore ignore = DockerIgnore.parse(Files.readString(file));
      List<String> expected = Files.readAllLines(file.resolveSibling(
          file.getFileName().toString().replace(".ignore", ".included"))).stream().sorted().toList();
      assertThat(walk(ignore)).containsExactlyElementsOf(expected);
    }));
  }

  /** What ContextTar's walk keeps: a file not excluded, under no excluded directory it skips. */
  private static List<String> walk(DockerIgnore ignore) {
    TreeSet<String> kept = new TreeSet<>();
    for (String file : TREE) {
      String[] parts = file.split("/");
      boolean reached = true;
      String prefix = "";
      for (int i = 0; i < parts.length - 1 && reached; i++) {
        prefix = prefix.isEmpty() ? parts[i] : prefix + "/" + parts[i];
        reached = !ignore.excluded(prefix) || ignore.mayIncludeUnder(prefix);
      }
      if (reached && !ignore.excluded(file)) {
        kept.add(file);
      }
    }
    return new ArrayList<>(kept);
  }
}
