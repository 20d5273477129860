package dev.berth.engine.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.filesystem.BuildContext;
import dev.berth.engine.filesystem.ContextArchive;
import dev.berth.engine.filesystem.ContextIndex;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A COPY source found and hashed from a spooled context's index is the same — paths, cache
 * digest, error — as the one found on the extracted files, and finding it extracts nothing.
 */
class IndexedSourcesTest {
  private static final Predicate<String> EXCLUDED = rel -> rel.endsWith(".log");
  @TempDir Path tmp;
  private BuildContext spooled;
  private BuildContext extracted;

  @BeforeEach
  void receive() throws IOException {
    byte[] tar = contextTar();
    spooled = ContextArchive.receive(new ByteArrayInputStream(tar), tmp.resolve("a"), "Dockerfile");
    extracted = ContextArchive.receive(new ByteArrayInputStream(tar), tmp.resolve("b"), "Dockerfile");
    extracted.directory();
  }

  @AfterEach
  void close() {
    spooled.close();
    extracted.close();
  }

  private static byte[] contextTar() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] big = new byte[200_000];
    new Random(7).nextBytes(big);
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      file(t, "Dockerfile", 0644, 0, 0, "FROM scratch\n".getBytes(StandardCharsets.UTF_8));
      dir(t, "src/", 0755, 0, 0);
      file(t, "src/a.txt", 0644, 0, 0, "a".getBytes(StandardCharsets.UTF_8));
      file(t, "src/b.log", 0600, 1234, 5678, "log".getBytes(StandardCharsets.UTF_8));
      file(t, "src/tool", 06755, 1234, 5678, "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
      dir(t, "src/sub/", 01775, 1000, 1000);
      file(t, "src/sub/c.txt", 0640, 1000, 1000, "c".getBytes(StandardCharsets.UTF_8));
      file(t, "src/sub/d.log", 0644, 0, 0, "d".getBytes(StandardCharsets.UTF_8));
      link(t, "src/link", "a.txt");
      link(t, "src/abs", "/etc//passwd/");
      dir(t, "empty/", 0700, 0, 0);
      file(t, "big.bin", 0644, 0, 0, big);
      file(t, "{x}.txt", 0644, 0, 0, new byte[0]);
      file(t, "weird name.txt", 0644, 0, 0, "w".getBytes(StandardCharsets.UTF_8));
      file(t, "a.txt.d", 0644, 0, 0, "x".getBytes(StandardCharsets.UTF_8));
      dir(t, "a.txt/", 0755, 0, 0);
      file(t, "a.txt/inner", 0644, 0, 0, "x".getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  private static void file(TarArchiveOutputStream t, String name, int mode, int uid, int gid, byte[] data)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(mode);
    e.setIds(uid, gid);
    e.setSize(data.length);
    t.putArchiveEntry(e);
    t.write(data);
    t.closeArchiveEntry();
  }

  private static void dir(TarArchiveOutputStream t, String name, int mode, int uid, int gid) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_DIR);
    e.setMode(mode);
    e.setIds(uid, gid);
    t.putArchiveEntry(e);
    t.closeArchiveEntry();
  }

  private static void link(TarArchiveOutputStream t, String name, String target) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
    e.setLinkName(target);
    t.putArchiveEntry(e);
    t.closeArchiveEntry();
  }

  @ParameterizedTest
  @ValueSource(strings = {".", "src", "src/", "./src/sub", "src/*.txt", "*", "src/s*/c.txt", "big.bin", "{x}.txt",
      "weird name.txt", "*.txt", "src/?.txt", "src/[ab]*", "empty", "src/tool", "a.txt*"})
  void theIndexFindsAndHashesWhatTheFilesGive(String source) throws IOException {
    ContextIndex index = spooled.index().orElseThrow();
    List<String> fromIndex = new ArrayList<>();
    SourceDigest indexDigest = new SourceDigest(p -> false);
    for (ContextIndex.Entry e : new IndexedSources(index, EXCLUDED).resolve(source, "COPY")) {
      indexDigest.add(e.path(), index, e, EXCLUDED);
      fromIndex.add(e.path());
    }

    Path dir = extracted.directory();
    ContextSources onDisk = new ContextSources(dir, EXCLUDED);
    List<String> fromDisk = new ArrayList<>();
    SourceDigest diskDigest = new SourceDigest(onDisk::excludedPath);
    for (Path p : onDisk.resolve(source, "COPY")) {
      diskDigest.add(dir.relativize(p).toString(), p);
      fromDisk.add(dir.relativize(p).toString());
    }

    assertThat(fromIndex).isEqualTo(fromDisk).isNotEmpty();
    assertThat(indexDigest.hex()).isEqualTo(diskDigest.hex());
    assertThat(spooled.onDisk()).as("nothing extracted").isFalse();
  }

  @Test
  void aMissingOrExcludedSourceFailsWithTheSameWords() throws IOException {
    ContextSources onDisk = new ContextSources(extracted.directory(), EXCLUDED);
    IndexedSources indexed = new IndexedSources(spooled.index().orElseThrow(), EXCLUDED);
    for (String source : List.of("missing", "src/b.log", "src/a.txt/x", "nope/a")) {
      String diskWords = catchMessage(() -> onDisk.resolve(source, "ADD"));
      assertThat(diskWords).contains("file not found in build context");
      assertThat(catchMessage(() -> indexed.resolve(source, "ADD"))).isEqualTo(diskWords);
    }
  }

  @Test
  void aLinkOnTheWayIsLeftToTheFiles() {
    IndexedSources indexed = new IndexedSources(spooled.index().orElseThrow(), EXCLUDED);
    assertThatThrownBy(() -> indexed.resolve("src/link", "COPY")).isInstanceOf(IndexedSources.NeedsDisk.class);
    assertThatThrownBy(() -> indexed.resolve("src/abs/x", "COPY")).isInstanceOf(IndexedSources.NeedsDisk.class);
  }

  @Test
  void theDockerfileIsReadFromTheSpool() throws IOException {
    IndexedSources indexed = new IndexedSources(spooled.index().orElseThrow(), rel -> false);
    assertThat(indexed.readRegularFile("Dockerfile", true)).contains("FROM scratch\n");
    assertThat(indexed.readRegularFile("src", true)).isEmpty();
    assertThat(indexed.readRegularFile(".dockerignore", false)).isEmpty();
    assertThat(indexed.readRegularFile("src/link", false)).as("a link is no regular file").isEmpty();
    assertThat(spooled.onDisk()).isFalse();
  }

  private static String catchMessage(ThrowingRunnable r) {
    try {
      r.run();
    } catch (Exception e) {
      return e.getMessage();
    }
    throw new AssertionError("no failure");
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }
}
