package dev.berth.cli.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The context tar holds what docker's would: sorted names, 0:0, modes, links, and no ignored file. */
public class ContextTarTest {
  @TempDir Path dir;

  /** name → content ("->target" for links, "/" suffix for dirs), in tar order. */
  public static Map<String, String> entries(byte[] tar) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        assertThat(e.getLongUserId()).isZero();
        assertThat(e.getLongGroupId()).isZero();
        out.put(e.getName(), e.isSymbolicLink() ? "->" + e.getLinkName()
            : e.isDirectory() ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private byte[] write(ContextTar t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    t.writeTo(out);
    assertThat(t.bytes()).isEqualTo(out.size());
    return out.toByteArray();
  }

  @Test
  void ignoredFilesStayHomeButTheDockerfileAndDockerignoreGo() throws IOException {
    Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
    Files.writeString(dir.resolve(".dockerignore"), "*.log\nnode_modules\nDockerfile\n.dockerignore\n");
    Files.writeString(dir.resolve("app.log"), "noise");
    Files.createDirectories(dir.resolve("node_modules/x"));
    Files.writeString(dir.resolve("node_modules/x/i.js"), "big");
    Files.createDirectories(dir.resolve("src"));
    Files.writeString(dir.resolve("src/b.txt"), "b");
    Files.writeString(dir.resolve("src/a.sh"), "a");
    Files.setPosixFilePermissions(dir.resolve("src/a.sh"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.createSymbolicLink(dir.resolve("link"), Path.of("src/a.sh"));
    String ignore = Files.readString(dir.resolve(".dockerignore"));
    byte[] tar = write(new ContextTar(dir, DockerIgnore.parse(ignore), Set.of("Dockerfile", ".dockerignore"), Map.of()));
    assertThat(entries(tar).keySet()).containsExactly(".dockerignore", "Dockerfile", "link", "src/", "src/a.sh",
        "src/b.txt");
    assertThat(entries(tar)).containsEntry("link", "->src/a.sh").containsEntry("src/b.txt", "b");
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.getName().equals("src/a.sh")) {
          assertThat(e.getMode() & 07777).isEqualTo(0750);
        }
      }
    }
  }

  @Test
  void anExceptionInsideAnIgnoredDirectoryIsSent() throws IOException {
    Files.createDirectories(dir.resolve("docs"));
    Files.writeString(dir.resolve("docs/keep.txt"), "k");
    Files.writeString(dir.resolve("docs/drop.txt"), "d");
    byte[] tar = write(new ContextTar(dir, DockerIgnore.parse("docs\n!docs/keep.txt\n"), Set.of(), Map.of()));
    assertThat(entries(tar).keySet()).containsExactly("docs/keep.txt");
  }

  @Test
  void replacedEntriesTakeTheirPlaceOrComeLast() throws IOException {
    Files.writeString(dir.resolve(".dockerignore"), "*.log\n");
    Files.writeString(dir.resolve("a.txt"), "a");
    byte[] tar = write(new ContextTar(dir, DockerIgnore.parse("*.log\n"), Set.of(".dockerignore"),
        Map.of(".dockerignore", "*.log\n.dockerfile.x\n".getBytes(StandardCharsets.UTF_8),
            ".dockerfile.x", "FROM scratch\n".getBytes(StandardCharsets.UTF_8))));
    assertThat(entries(tar)).containsExactly(Map.entry(".dockerignore", "*.log\n.dockerfile.x\n"),
        Map.entry("a.txt", "a"), Map.entry(".dockerfile.x", "FROM scratch\n"));
  }
}
