package dev.berth.it.build;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.engine.build.BuildRequest;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.image.ImageJson;
import dev.berth.engine.image.Reference;
import dev.berth.testkit.Commands;
import dev.berth.testkit.DockerdProcess;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same Dockerfiles (berth-it/src/test/resources/build/) built by dockerd 20.10's classic
 * builder and by Berth give the same image config and the same file tree (paths, types, modes,
 * owners, contents; mtimes are not compared).
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BuildDifferentialIT {
  private static final List<String> CONFIG_FIELDS = List.of("Cmd", "Entrypoint", "Env", "WorkingDir", "User",
      "ExposedPorts", "Volumes", "Labels", "Healthcheck", "StopSignal", "Shell", "OnBuild");
  /** What a container adds to an export (mount points, .dockerenv); not part of an image. */
  private static final Set<String> RUNTIME_PATHS = Set.of(".dockerenv", "etc/hosts", "etc/hostname",
      "etc/resolv.conf", "etc/mtab", "dev", "proc", "sys");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  static EngineHarness h;
  static DockerdProcess docker;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(DockerdProcess.available(), "dockerd is not installed: apt-get install docker.io");
    h = EngineHarness.start(dir.resolve("berth"));
    docker = DockerdProcess.start(dir.resolve("dockerd"));
    ok(docker.docker("pull", h.busybox));
    ok(docker.docker("tag", h.busybox, "busybox:latest"));
    h.engine.images().tag(h.busybox, Reference.parse("busybox:latest"));
  }

  @AfterAll
  static void stop() {
    if (docker != null) {
      docker.close();
    }
    if (h != null) {
      h.close();
    }
  }

  @Order(1)
  @ParameterizedTest
  @ValueSource(strings = {"config-only", "copy-rules", "run-layers", "multi-stage", "onbuild-parent", "dockerignore",
      "args-env"})
  void berthBuildsWhatDockerdBuilds(String name) throws Exception {
    compare(name, Map.of());
  }

  @Order(2)
  @ParameterizedTest
  @ValueSource(strings = {"onbuild-child"})
  void aChildOfAnOnbuildImageRunsItsTriggersLikeDockerd(String name) throws Exception {
    compare(name, Map.of());
  }

  private void compare(String name, Map<String, String> buildArgs) throws Exception {
    Path ctx = copyCorpus(name);
    String tag = "diff-" + name;
    ProcessResult d = Commands.run(List.of("docker", "-H", docker.host(), "build", "-t", tag, ctx.toString()),
        Map.of("DOCKER_BUILDKIT", "0"), Duration.ofMinutes(5));
    assertThat(d.exitCode()).as("dockerd's build of %s: %s", name, d).isZero();
    EngineHarness.Built b = h.build(BuildRequest.of(ctx).withTags(List.of(tag))).ok();

    JsonNode dockerConfig = JSON.readTree(ok(docker.docker("image", "inspect", tag, "--format", "{{json .Config}}"))
        .stdout());
    JsonNode berthConfig = JSON.readTree(ImageJson.write(h.image(b.imageId()).config().config()));
    assertThat(pick(berthConfig)).as("config of %s", name).isEqualTo(pick(dockerConfig));

    Map<String, String> dockerFiles = dockerTree(tag);
    assertThat(dockerFiles).containsKey("bin/busybox"); // the comparison sees whole trees
    assertThat(berthTree(b.imageId())).as("files of %s", name).isEqualTo(dockerFiles);
  }

  /** The corpus dir copied to a temp context, with modes git does not keep. */
  private static Path copyCorpus(String name) throws IOException {
    Path src = Path.of("src/test/resources/build", name);
    Path ctx = dir.resolve("ctx").resolve(name);
    try (Stream<Path> walk = Files.walk(src)) {
      for (Path p : walk.toList()) {
        Path t = ctx.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    if (Files.exists(ctx.resolve("dir/a"))) {
      Files.setPosixFilePermissions(ctx.resolve("dir/a"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      Files.setPosixFilePermissions(ctx.resolve("dir/sub"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x---"));
    }
    return ctx;
  }

  private static ObjectNode pick(JsonNode config) {
    ObjectNode out = JSON.createObjectNode();
    for (String f : CONFIG_FIELDS) {
      JsonNode v = config.get(f);
      boolean empty = v == null || v.isNull() || (v.isContainerNode() && v.isEmpty()) || (v.isTextual() && v.asText().isEmpty());
      if (!empty) {
        out.set(f, v);
      }
    }
    return out;
  }

  private static Map<String, String> dockerTree(String tag) throws IOException {
    String id = ok(docker.docker("create", tag)).stdout().strip();
    Path tar = dir.resolve("export-" + id + ".tar");
    try {
      ok(docker.docker("export", "-o", tar.toString(), id));
      try (InputStream in = Files.newInputStream(tar)) {
        return tree(in);
      }
    } finally {
      docker.docker("rm", id);
      Files.deleteIfExists(tar);
    }
  }

  private static Map<String, String> berthTree(String imageId) throws IOException {
    var c = h.engine.containers().create(null, ContainerConfig.ofImage(imageId, List.of("true")));
    Path tar = dir.resolve("export-" + c.id() + ".tar");
    try {
      try (OutputStream out = Files.newOutputStream(tar)) {
        h.engine.containerFiles().export(c.id(), out);
      }
      try (InputStream in = Files.newInputStream(tar)) {
        return tree(in);
      }
    } finally {
      h.engine.containers().remove(c.id(), true, true);
      Files.deleteIfExists(tar);
    }
  }

  /** path → "type mode uid:gid content-or-target" for every entry but the runtime's. */
  private static Map<String, String> tree(InputStream in) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    try (TarArchiveInputStream t = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = t.getNextEntry()) != null) {
        String name = e.getName().replaceAll("^\\./", "").replaceAll("/$", "");
        if (name.isEmpty() || RUNTIME_PATHS.contains(name) || RUNTIME_PATHS.stream().anyMatch(r -> name.startsWith(r + "/"))) {
          continue;
        }
        String what;
        if (e.isSymbolicLink()) {
          what = "link " + e.getLinkName();
        } else if (e.isLink()) {
          what = "hardlink " + e.getLinkName();
        } else if (e.isDirectory()) {
          what = "dir";
        } else {
          MessageDigest sha = MessageDigest.getInstance("SHA-256");
          sha.update(t.readAllBytes());
          what = "file " + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        }
        entries.put(name, what + " " + Integer.toOctalString(e.getMode() & 07777) + " " + e.getLongUserId() + ":"
            + e.getLongGroupId());
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return entries;
  }

  private static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }
}
