package dev.berth.engine.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildCacheKeyTest {
  private static final String PARENT = "sha256:" + "a".repeat(64);

  @Test
  void theKeyChangesWithParentInstructionArgsAndSources() {
    String base = BuildCache.key(PARENT, BuildCache.Kind.REGULAR, "/bin/sh -c make", Map.of("V", "1"), "");

    assertThat(BuildCache.key(PARENT, BuildCache.Kind.REGULAR, "/bin/sh -c make", Map.of("V", "1"), "")).isEqualTo(base);
    assertThat(BuildCache.key("sha256:" + "b".repeat(64), BuildCache.Kind.REGULAR, "/bin/sh -c make", Map.of("V", "1"),
        "")).isNotEqualTo(base);
    assertThat(BuildCache.key(PARENT, BuildCache.Kind.REGULAR, "/bin/sh -c make all", Map.of("V", "1"), ""))
        .isNotEqualTo(base);
    assertThat(BuildCache.key(PARENT, BuildCache.Kind.REGULAR, "/bin/sh -c make", Map.of("V", "2"), ""))
        .isNotEqualTo(base);
    assertThat(BuildCache.key(PARENT, BuildCache.Kind.REGULAR, "/bin/sh -c make", Map.of(), "")).isNotEqualTo(base);
    assertThat(BuildCache.key(PARENT, BuildCache.Kind.SOURCE, "/bin/sh -c make", Map.of("V", "1"), "")).isNotEqualTo(base);
  }

  @Test
  void argsCannotBeConfusedByTheirSeparators() {
    assertThat(BuildCache.key(PARENT, BuildCache.Kind.REGULAR, "x", Map.of("A", "1\nB=2"), ""))
        .isNotEqualTo(BuildCache.key(PARENT, BuildCache.Kind.REGULAR, "x", Map.of("A", "1", "B", "2"), ""));
  }

  @Test
  void sourcesHashContentModeAndNamesButNotMtimes(@TempDir Path dir) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "one");
    Files.createDirectories(src.resolve("sub"));
    Files.writeString(src.resolve("sub/b.txt"), "two");
    String first = digest(src);

    Files.setLastModifiedTime(src.resolve("a.txt"), FileTime.fromMillis(0));
    assertThat(digest(src)).as("mtime ignored").isEqualTo(first);

    Files.writeString(src.resolve("sub/b.txt"), "TWO");
    String content = digest(src);
    assertThat(content).isNotEqualTo(first);

    Files.setPosixFilePermissions(src.resolve("a.txt"), PosixFilePermissions.fromString("rwx------"));
    String mode = digest(src);
    assertThat(mode).isNotEqualTo(content);

    Files.move(src.resolve("a.txt"), src.resolve("c.txt"));
    assertThat(digest(src)).isNotEqualTo(mode);
  }

  @Test
  void sourcesHashOwnersAndLinkTargets(@TempDir Path dir) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "one");
    Files.createSymbolicLink(src.resolve("link"), Path.of("a.txt"));
    String first = digest(src);

    Files.setAttribute(src.resolve("a.txt"), "unix:uid", 1234);
    String owner = digest(src);
    assertThat(owner).as("owner counts").isNotEqualTo(first);

    Files.setAttribute(src.resolve("a.txt"), "unix:gid", 5678);
    String group = digest(src);
    assertThat(group).as("group counts").isNotEqualTo(owner);

    Files.delete(src.resolve("link"));
    Files.createSymbolicLink(src.resolve("link"), Path.of("/etc/passwd"));
    assertThat(digest(src)).as("link target counts, not followed").isNotEqualTo(group);
  }

  @Test
  void ignoredFilesInsideASourceDoNotCount(@TempDir Path dir) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("keep.txt"), "k");
    String before = new SourceDigest(p -> p.getFileName().toString().endsWith(".log")).add("src", src).hex();

    Files.writeString(src.resolve("noise.log"), "changes all the time");

    assertThat(new SourceDigest(p -> p.getFileName().toString().endsWith(".log")).add("src", src).hex())
        .isEqualTo(before);
  }

  private static String digest(Path p) throws Exception {
    return new SourceDigest(x -> false).add("src", p).hex();
  }
}
