package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Named and anonymous volumes, bind mounts and tmpfs through a real berthd, runc and conmon, with
 * the berth CLI, curl on the API and the docker CLI. One daemon for the class; every test
 * removes its containers and volumes.
 */
@Tag("integration")
class VolumeIT extends BusyboxDaemonTest {

  @AfterEach
  void removeContainersAndVolumes() {
    removeAll();
  }

  private static void removeAll() {
    env.removeAllContainers();
    for (String v : berth("volume", "ls", "-q").stdout().lines().filter(l -> !l.isBlank()).toList()) {
      berth("volume", "rm", "-f", v);
    }
  }

  private static List<String> volumes() {
    return ok(berth("volume", "ls", "-q")).stdout().lines().filter(l -> !l.isBlank()).toList();
  }

  private static ProcessResult curl(String method, String path) {
    return Commands.run(List.of("curl", "-s", "-w", "\n%{http_code}", "-X", method,
        "--unix-socket", daemon.socket().toString(), "http://localhost/v1.51" + path), Duration.ofSeconds(20));
  }

  @Test
  void aVolumeWrittenByOneContainerIsReadByTheNext() {
    ok(berth("run", "--rm", "-v", "notes:/data", image, "sh", "-c", "echo kept across containers > /data/note"));
    assertThat(ok(berth("run", "--rm", "-v", "notes:/data:ro", image, "cat", "/data/note")).stdout())
        .isEqualTo("kept across containers\n");
    assertThat(volumes()).containsExactly("notes"); // created on first use, kept after --rm
    assertThat(ok(berth("volume", "inspect", "-f", "{{.Driver}} {{.Scope}} {{.Mountpoint}}", "notes")).stdout().strip())
        .isEqualTo("local local " + daemon.dataRoot().resolve("volumes/notes/_data"));
  }

  @Test
  void aReadOnlyBindRefusesWritesAndAWritableOneShowsOnTheHost() throws Exception {
    Path host = Files.createDirectories(dir.resolve("host-share"));
    Files.writeString(host.resolve("in"), "from the host\n");
    ProcessResult ro = berth("run", "--rm", "-v", host + ":/share:ro", image, "sh", "-c",
        "cat /share/in && echo x > /share/out");
    assertThat(ro.exitCode()).as(ro.toString()).isNotZero();
    assertThat(ro.stdout()).isEqualTo("from the host\n");
    assertThat(ro.stderr()).contains("Read-only file system");
    assertThat(host.resolve("out")).doesNotExist();

    ok(berth("run", "--rm", "--mount", "type=bind,src=" + host + ",dst=/share", image, "sh", "-c",
        "echo from the container > /share/out"));
    assertThat(host.resolve("out")).hasContent("from the container");
  }

  @Test
  void tmpfsFlagMountsATmpfsWithDockersOptions() {
    String mounts = ok(berth("run", "--rm", "--tmpfs", "/t:size=1m", image, "grep", " /t ", "/proc/mounts")).stdout();
    assertThat(mounts).startsWith("tmpfs /t tmpfs ").contains("nosuid", "nodev", "noexec", "size=1024k");
    String viaMount = ok(berth("run", "--rm", "--mount", "type=tmpfs,dst=/m,tmpfs-mode=1770", image, "stat", "-c",
        "%a %F", "/m")).stdout();
    assertThat(viaMount.strip()).isEqualTo("1770 directory");
  }

  @Test
  void removingAVolumeInUseIsAConflictThatNamesTheContainer() {
    String id = ok(berth("create", "--name", "holder", "-v", "busy:/data", image, "true")).stdout().strip();
    ProcessResult rm = berth("volume", "rm", "busy");
    assertThat(rm.exitCode()).isEqualTo(1);
    assertThat(rm.stderr()).contains("Error response from daemon: remove busy: volume is in use - [" + id + "]");
    ProcessResult api = curl("DELETE", "/volumes/busy?force=1");
    assertThat(api.stdout().lines().toList().getLast()).isEqualTo("409");
    assertThat(volumes()).contains("busy");

    ok(berth("rm", "holder"));
    assertThat(ok(berth("volume", "rm", "busy")).stdout().strip()).isEqualTo("busy");
    assertThat(volumes()).doesNotContain("busy");
    assertThat(daemon.dataRoot().resolve("volumes/busy")).doesNotExist();
  }

  @Test
  void aNewNamedVolumeIsFilledWithTheImagesContent() throws Exception {
    // /etc in the test image: passwd and group from the base layer, layer3 from the top one.
    ok(berth("run", "--rm", "-v", "etc-copy:/etc", image, "true"));
    Path data = daemon.dataRoot().resolve("volumes/etc-copy/_data");
    assertThat(data.resolve("layer3")).hasContent("third layer");
    assertThat(data.resolve("passwd")).exists();
    assertThat(data.resolve("remove-me")).doesNotExist(); // whited out in the image
    assertThat(ok(berth("run", "--rm", "-v", "etc-copy:/v", image, "stat", "-c", "%a %u:%g", "/v/layer3"))
        .stdout().strip()).isEqualTo("644 0:0");

    // A volume that has content is not filled again, and nocopy leaves a new one empty.
    ok(berth("run", "--rm", "-v", "etc-copy:/etc", image, "rm", "/etc/layer3"));
    ok(berth("run", "--rm", "-v", "etc-copy:/etc", image, "true"));
    assertThat(data.resolve("layer3")).doesNotExist();
    // Berth's /etc/hosts, hostname and resolv.conf are mounted over a volume on /etc, not hidden by it.
    assertThat(ok(berth("run", "--rm", "-h", "etc-volume-host", "-v", "empty-etc:/etc:nocopy", image, "cat",
        "/etc/hostname")).stdout()).isEqualTo("etc-volume-host\n");
    Path empty = daemon.dataRoot().resolve("volumes/empty-etc/_data");
    assertThat(empty.resolve("passwd")).doesNotExist();
    assertThat(empty.resolve("layer3")).doesNotExist();
  }

  @Test
  void rmDashVRemovesAnonymousVolumesAndKeepsNamedOnes() throws Exception {
    ok(berth("create", "--name", "mixed", "-v", "named-keep:/named", "-v", "/anon1", "--mount",
        "type=volume,dst=/anon2", image, "true"));
    List<String> before = volumes();
    assertThat(before).hasSize(3).contains("named-keep");
    JsonNode mounts = new ObjectMapper().readTree(ok(berth("inspect", "-f", "{{json .Mounts}}", "mixed")).stdout());
    List<String> seen = new java.util.ArrayList<>();
    mounts.forEach(m -> seen.add(m.path("Type").asText() + " " + m.path("Name").asText().length() + " "
        + m.path("Destination").asText() + " " + m.path("RW").asBoolean() + " " + m.path("Driver").asText()));
    assertThat(seen).containsExactlyInAnyOrder("volume 64 /anon1 true local", "volume 64 /anon2 true local",
        "volume 10 /named true local");
    ok(berth("rm", "-v", "mixed"));
    assertThat(volumes()).containsExactly("named-keep");

    // --rm removes the anonymous ones too; plain rm keeps them.
    ok(berth("run", "--rm", "-v", "/scratch", image, "true"));
    assertThat(volumes()).containsExactly("named-keep");
    ok(berth("run", "--name", "keeper", "-v", "/scratch", image, "true"));
    ok(berth("rm", "keeper"));
    assertThat(volumes()).hasSize(2);
  }

  @Test
  void pruneRemovesUnusedAnonymousVolumesAndWithAllTheNamedOnesToo() {
    ok(berth("volume", "create", "--label", "team=a", "unused-named"));
    ok(berth("create", "--name", "user", "-v", "used-named:/u", "-v", "/used-anon", image, "true"));
    ok(berth("run", "--name", "gone", "-v", "/stale", image, "true"));
    ok(berth("rm", "gone"));
    assertThat(volumes()).hasSize(4);

    ProcessResult pruned = ok(berth("volume", "prune", "-f"));
    assertThat(pruned.stdout()).startsWith("Deleted Volumes:\n").contains("Total reclaimed space:");
    assertThat(volumes()).hasSize(3).contains("unused-named", "used-named");

    assertThat(ok(berth("volume", "ls", "-q", "--filter", "dangling=true")).stdout().strip()).isEqualTo("unused-named");
    ok(berth("volume", "prune", "-f", "-a", "--filter", "label=team=b"));
    assertThat(volumes()).contains("unused-named");
    ok(berth("volume", "prune", "-f", "-a"));
    assertThat(volumes()).hasSize(2).contains("used-named").doesNotContain("unused-named");

    // Before API 1.42 (Docker 23) prune took named volumes too.
    ok(berth("volume", "create", "old-client-named"));
    ProcessResult old = Commands.run(List.of("curl", "-s", "-X", "POST", "--unix-socket", daemon.socket().toString(),
        "http://localhost/v1.41/volumes/prune"), Duration.ofSeconds(20));
    assertThat(old.stdout()).contains("\"VolumesDeleted\":[\"old-client-named\"]");
  }

  @Test
  void aMissingBindSourceForMountIsAnErrorAndNothingIsLeftBehind() {
    ProcessResult r = berth("create", "--name", "broken", "-v", "made-for-nothing:/x", "--mount",
        "type=bind,src=" + dir.resolve("no-such-dir") + ",dst=/y", image, "true");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr()).contains("invalid mount config for type \"bind\": bind source path does not exist: "
        + dir.resolve("no-such-dir"));
    assertThat(ok(berth("ps", "-aq")).stdout()).isBlank();
    assertThat(volumes()).isEmpty(); // the volume made on first use went with the failed create

    // -v, unlike --mount, creates a missing host directory
    ok(berth("run", "--rm", "-v", dir.resolve("made/by/v") + ":/y", image, "true"));
    assertThat(dir.resolve("made/by/v")).isDirectory();

    assertThat(berth("run", "--rm", "-v", "vol:relative", image, "true").stderr())
        .contains("invalid volume specification: 'vol:relative'");
    assertThat(berth("run", "--rm", "-v", "v1:/x", "-v", "v2:/x/", image, "true").stderr())
        .contains("Duplicate mount point: /x");
    assertThat(volumes()).isEmpty();
  }

  @Test
  void localDriverOptionsMountATmpfsOrAHostPathAndRemovalKeepsTheHostsFiles() throws Exception {
    ok(berth("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m,uid=1000", "small"));
    assertThat(ok(berth("run", "--rm", "-v", "small:/t", image, "sh", "-c", "grep ' /t ' /proc/mounts; stat -c %u /t"))
        .stdout()).startsWith("tmpfs /t tmpfs ").contains("size=1024k").endsWith("\n1000\n");

    Path host = Files.createDirectories(dir.resolve("bind-volume"));
    Files.writeString(host.resolve("precious"), "keep me\n");
    ok(berth("volume", "create", "-o", "type=none", "-o", "o=bind", "-o", "device=" + host, "hostdir"));
    assertThat(ok(berth("run", "--rm", "-v", "hostdir:/h", image, "cat", "/h/precious")).stdout()).isEqualTo("keep me\n");
    ok(berth("volume", "rm", "small", "hostdir"));
    assertThat(host.resolve("precious")).hasContent("keep me");
    assertThat(Commands.run(List.of("findmnt", "-rn", "-o", "TARGET"), Duration.ofSeconds(10)).stdout())
        .doesNotContain(daemon.dataRoot().resolve("volumes").toString());

    assertThat(berth("volume", "create", "-o", "type=tmpfs", "nodevice").stderr())
        .contains("missing required option: \"device\"");
    assertThat(berth("volume", "create", "-d", "nfs-plugin", "elsewhere").stderr())
        .contains("plugin \"nfs-plugin\" not found");
    assertThat(volumes()).isEmpty();
  }

  @Test
  void volumesFromSharesAnotherContainersVolumesReadOnlyWhenAsked() {
    ok(berth("create", "--name", "source", "-v", "shared:/shared", "-v", "/anon", image, "true"));
    ok(berth("run", "--rm", "--volumes-from", "source", image, "sh", "-c", "echo one > /shared/f; echo two > /anon/f"));
    assertThat(ok(berth("run", "--rm", "--volumes-from", "source:ro", image, "sh", "-c",
        "cat /shared/f /anon/f; echo x > /shared/g || echo refused")).stdout()).isEqualTo("one\ntwo\nrefused\n");
    assertThat(volumes()).hasSize(2); // --rm of the borrowers left the source's anonymous volume alone
    assertThat(berth("run", "--rm", "--volumes-from", "no-such-container", image, "true").stderr())
        .contains("No such container: no-such-container");
  }

  @Test
  void dockerCliManagesVolumesAndMountsThem() {
    List<String> docker = List.of("docker", "-H", daemon.host());
    ProcessResult create = run(docker, "volume", "create", "--label", "k=v", "dv");
    assertThat(create.stdout().strip()).isEqualTo("dv");
    assertThat(run(docker, "volume", "ls", "--filter", "label=k=v").stdout()).contains("local     dv");
    run(docker, "run", "--rm", "-v", "dv:/d", image, "sh", "-c", "echo via docker > /d/f");
    assertThat(run(docker, "run", "--rm", "--mount", "source=dv,target=/d,readonly", image, "cat", "/d/f").stdout())
        .isEqualTo("via docker\n");
    assertThat(run(docker, "volume", "inspect", "--format", "{{.Name}} {{.Labels}}", "dv").stdout().strip())
        .isEqualTo("dv map[k:v]");
    assertThat(run(docker, "volume", "rm", "dv").stdout().strip()).isEqualTo("dv");
  }

  private static ProcessResult run(List<String> prefix, String... args) {
    List<String> cmd = new java.util.ArrayList<>(prefix);
    cmd.addAll(List.of(args));
    ProcessResult r = Commands.run(cmd, Duration.ofSeconds(60));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }
}
