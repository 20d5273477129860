package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images through berthd and the berth CLI, against Debian's real docker-registry on loopback. */
@Tag("integration")
class ImageIT {
  @TempDir
  Path dir;

  private static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }


  @Test
  void pullTagPushRemoveAndPullAgainByTagAndDigest() {
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
        BerthdProcess d = BerthdProcess.start(dir.resolve("berthd"))) {
      BusyboxImage.Layout layout = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest");
      String name = registry.host() + "/test/busybox";
      layout.pushTo(name + ":latest");

      ProcessResult pull = ok(Commands.berth(d.host(), "pull", name));
      assertThat(pull.stdout()).contains("Using default tag: latest").contains("Pull complete")
          .contains("Digest: " + layout.manifestDigest())
          .contains("Status: Downloaded newer image for " + name + ":latest");
      assertThat(ok(Commands.berth(d.host(), "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}")).stdout())
          .isEqualTo(name + ":latest " + layout.configDigest().substring(7, 19) + "\n");
      assertThat(ok(Commands.berth(d.host(), "image", "inspect", name, "--format", "{{json .RootFS.Layers}}")).stdout()
          .strip()).isEqualTo("[\"" + String.join("\",\"", layout.diffIds()) + "\"]");
      assertThat(ok(Commands.berth(d.host(), "pull", name)).stdout()).contains("Image is up to date");

      ok(Commands.berth(d.host(), "tag", name, registry.host() + "/other/copy:v1"));
      ProcessResult push = ok(Commands.berth(d.host(), "push", registry.host() + "/other/copy:v1"));
      assertThat(push.stdout()).contains("Mounted from test/busybox").contains("v1: digest: " + layout.manifestDigest());
      ok(Commands.run(List.of("skopeo", "inspect", "--tls-verify=false", "docker://" + registry.host() + "/other/copy:v1"),
          Duration.ofMinutes(1)));

      ProcessResult rmi = ok(Commands.berth(d.host(), "rmi", name, registry.host() + "/other/copy:v1"));
      assertThat(rmi.stdout()).contains("Deleted: " + layout.configDigest());
      assertThat(ok(Commands.berth(d.host(), "images", "-q", "-a")).stdout()).isEmpty();
      assertThat(d.dataRoot().resolve("layers")).isEmptyDirectory();

      ok(Commands.berth(d.host(), "pull", registry.host() + "/other/copy:v1"));
      ok(Commands.berth(d.host(), "pull", name + "@" + layout.manifestDigest()));
      assertThat(ok(Commands.berth(d.host(), "images", "--digests", "--format", "{{.Repository}} {{.Digest}}")).stdout())
          .contains(registry.host() + "/other/copy " + layout.manifestDigest());
      ProcessResult missing = Commands.berth(d.host(), "pull", registry.host() + "/test/nothing:here");
      assertThat(missing.exitCode()).isEqualTo(1);
      assertThat(missing.stderr()).contains("Error response from daemon").contains("not found");
    }
  }

  @Test
  void aMultiPlatformIndexGivesTheHostPlatformUnlessAskedOtherwise() {
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
        BerthdProcess d = BerthdProcess.start(dir.resolve("berthd"))) {
      BusyboxImage.MultiArch image = BusyboxImage.writeMultiArchLayout(dir.resolve("layout"), "multi");
      String name = registry.host() + "/test/multi:latest";
      ok(Commands.run(List.of("skopeo", "copy", "--all", "--dest-tls-verify=false",
          "oci:" + dir.resolve("layout") + ":multi", "docker://" + name), Duration.ofMinutes(2)));

      ProcessResult pull = ok(Commands.berth(d.host(), "pull", name));
      assertThat(pull.stdout()).contains("Digest: " + image.indexDigest());
      assertThat(ok(Commands.berth(d.host(), "image", "inspect", name, "-f", "{{.Id}} {{.Architecture}}")).stdout().strip())
          .isEqualTo(image.amd64().configDigest() + " amd64");

      ok(Commands.berth(d.host(), "pull", "--platform", "linux/arm64", name));
      assertThat(ok(Commands.berth(d.host(), "image", "inspect", name, "-f", "{{.Id}} {{.Architecture}}")).stdout().strip())
          .isEqualTo(image.arm64ConfigDigest() + " arm64");
      ProcessResult none = Commands.berth(d.host(), "pull", "--platform", "linux/s390x", name);
      assertThat(none.exitCode()).isEqualTo(1);
      assertThat(none.stderr()).contains("linux/amd64").contains("linux/arm64");

      // Image names with slashes, URL-encoded as %2F (as Testcontainers sends them), work too.
      ProcessResult encoded = Commands.run(List.of("curl", "-s", "--unix-socket", d.socket().toString(),
          "http://x/v1.44/images/" + name.replace("/", "%2F") + "/json"), Duration.ofSeconds(30));
      assertThat(encoded.stdout()).contains("\"Id\":\"" + image.arm64ConfigDigest() + "\"");
    }
  }

  @Test
  void loginStoresCredentialsLikeDockerAndPullUsesThem() throws Exception {
    try (LocalRegistry registry = LocalRegistry.startWithBasicAuth(dir.resolve("registry"), "alice", "s3cret");
        BerthdProcess d = BerthdProcess.start(dir.resolve("berthd"))) {
      BusyboxImage.Layout layout = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest");
      String name = registry.host() + "/private/busybox:latest";
      layout.pushTo(name, "--dest-creds", "alice:s3cret");
      Map<String, String> env = Map.of("DOCKER_CONFIG", dir.resolve("docker-config").toString());

      ProcessResult refused = Commands.run(Commands.berthCommand(d.host(), "pull", name), env, Duration.ofMinutes(1));
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.stderr()).contains("401").contains("login");

      Path wrong = Files.writeString(dir.resolve("wrong"), "nope\n");
      ProcessResult badLogin = Commands.run(Commands.berthCommand(d.host(), "login", "-u", "alice", "--password-stdin",
          registry.host()), env, wrong, Duration.ofMinutes(1));
      assertThat(badLogin.exitCode()).isEqualTo(1);
      assertThat(dir.resolve("docker-config/config.json")).doesNotExist();

      Path password = Files.writeString(dir.resolve("password"), "s3cret\n");
      ProcessResult login = Commands.run(Commands.berthCommand(d.host(), "login", "-u", "alice", "--password-stdin",
          registry.host()), env, password, Duration.ofMinutes(1));
      assertThat(login.stdout()).as(login.toString()).contains("Login Succeeded");
      assertThat(Files.readString(dir.resolve("docker-config/config.json"))).contains(registry.host());

      ProcessResult pull = Commands.run(Commands.berthCommand(d.host(), "pull", name), env, Duration.ofMinutes(1));
      assertThat(pull.exitCode()).as(pull.toString()).isZero();

      ProcessResult logout = Commands.run(Commands.berthCommand(d.host(), "logout", registry.host()), env,
          Duration.ofMinutes(1));
      assertThat(logout.stdout()).contains("Removing login credentials for " + registry.host());
      assertThat(Files.readString(dir.resolve("docker-config/config.json"))).doesNotContain(registry.host());
    }
  }

  @Test
  void saveLoadAndImportKeepIdsAndSettings() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
        BerthdProcess d = BerthdProcess.start(dir.resolve("berthd"))) {
      BusyboxImage.Layout layout = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest");
      String name = registry.host() + "/test/busybox:latest";
      layout.pushTo(name);
      ok(Commands.berth(d.host(), "pull", "-q", name));
      Path archive = dir.resolve("saved.tar");
      ok(Commands.berth(d.host(), "save", "-o", archive.toString(), name));
      ok(Commands.berth(d.host(), "rmi", name));
      ProcessResult load = ok(Commands.berth(d.host(), "load", "-i", archive.toString()));
      assertThat(load.stdout()).contains("Loaded image: " + name);
      assertThat(ok(Commands.berth(d.host(), "image", "inspect", name, "-f", "{{.Id}}")).stdout().strip())
          .isEqualTo(layout.configDigest());

      Path rootfs = dir.resolve("rootfs.tar");
      try (OutputStream out = Files.newOutputStream(rootfs); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
        byte[] hello = "imported\n".getBytes();
        TarArchiveEntry e = new TarArchiveEntry("hello.txt");
        e.setSize(hello.length);
        tar.putArchiveEntry(e);
        tar.write(hello);
        tar.closeArchiveEntry();
      }
      ProcessResult imported = ok(Commands.berth(d.host(), "import", "-c", "CMD [\"cat\", \"/hello.txt\"]",
          "-c", "ENV GREETING=hi", "-c", "WORKDIR /srv", rootfs.toString(), "imported:1"));
      assertThat(imported.stdout()).startsWith("sha256:");
      assertThat(ok(Commands.berth(d.host(), "image", "inspect", "imported:1", "-f",
          "{{json .Config.Cmd}} {{json .Config.Env}} {{.Config.WorkingDir}}")).stdout().strip())
          .isEqualTo("[\"cat\",\"/hello.txt\"] [\"GREETING=hi\"] /srv");
      ProcessResult badChange = Commands.berth(d.host(), "import", "-c", "RUN rm -rf /", rootfs.toString());
      assertThat(badChange.exitCode()).isEqualTo(1);
      assertThat(badChange.stderr()).contains("RUN is not supported");
    }
  }

  @Test
  void hostileArchiveIsRefusedAndNothingOutsideChanges() throws Exception {
    Path sentinel = dir.resolve("outside/sentinel");
    try (BerthdProcess d = BerthdProcess.start(dir.resolve("berthd"))) {
      Path evil = dir.resolve("evil.tar");
      try (OutputStream out = Files.newOutputStream(evil); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
        byte[] data = "pwned\n".getBytes();
        TarArchiveEntry e = new TarArchiveEntry("../../../../../../../../.." + sentinel);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
      }
      ProcessResult load = Commands.berth(d.host(), "load", "-i", evil.toString());
      assertThat(load.exitCode()).isEqualTo(1);
      assertThat(load.stderr()).contains("points outside the archive");
      assertThat(sentinel).doesNotExist();
      assertThat(ok(Commands.berth(d.host(), "images", "-q", "-a")).stdout()).isEmpty();
      assertThat(d.dataRoot().resolve("tmp")).isEmptyDirectory();
    }
  }
}
