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
 * The HostConfig fields of a create, each seen from inside a real container (berth CLI → berthd →
 * runc), and the fields Berth refuses, each with a 400 that names it.
 */
@Tag("integration")
class CreateFieldsIT extends BusyboxDaemonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @AfterEach
  void removeContainers() {
    env.removeAllContainers();
    for (String v : berth("volume", "ls", "-q").stdout().lines().filter(l -> !l.isBlank()).toList()) {
      berth("volume", "rm", "-f", v);
    }
  }

  private static String out(String... args) {
    return ok(berth(args)).stdout();
  }

  /** A create through the API: {@code [status, body]}. */
  private static String[] create(String body) {
    ProcessResult r = Commands.run(List.of("curl", "-s", "-w", "\n%{http_code}", "-X", "POST", "-H",
        "Content-Type: application/json", "-d", body, "--unix-socket", daemon.socket().toString(),
        "http://localhost/v1.51/containers/create"), Duration.ofSeconds(20));
    String s = r.stdout();
    int nl = s.lastIndexOf('\n');
    return new String[] {s.substring(nl + 1), s.substring(0, nl)};
  }

  @Test
  void aReadOnlyBindIsRecursivelyReadOnlyOnlyWhenForced() throws Exception {
    Path src = Files.createDirectories(dir.resolve("rro-src"));
    Path sub = Files.createDirectories(src.resolve("tmpfs"));
    ok(Commands.run(List.of("mount", "-t", "tmpfs", "none", sub.toString()), Duration.ofSeconds(10)));
    try {
      String write = "touch /mnt/tmpfs/probe 2>&1 && echo WROTE";
      // ReadOnly alone leaves the submount writable, as in dockerd 20.10 (and ReadOnlyNonRecursive)
      String[] plain = create("{\"Image\":\"" + image + "\",\"Cmd\":[\"sh\",\"-c\",\"" + write + "\"],"
          + "\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"" + src + "\",\"Target\":\"/mnt\","
          + "\"ReadOnly\":true}]}}");
      assertThat(plain[0]).isEqualTo("201");
      String plainId = JSON.readTree(plain[1]).path("Id").asText();
      assertThat(out("start", "-a", plainId)).contains("WROTE");

      String[] forced = create("{\"Image\":\"" + image + "\",\"Cmd\":[\"sh\",\"-c\",\"" + write + "\"],"
          + "\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"" + src + "\",\"Target\":\"/mnt\","
          + "\"ReadOnly\":true,\"BindOptions\":{\"ReadOnlyForceRecursive\":true}}]}}");
      assertThat(forced[0]).isEqualTo("201");
      String forcedId = JSON.readTree(forced[1]).path("Id").asText();
      assertThat(berth("start", "-a", forcedId).stdout()).contains("Read-only file system").doesNotContain("WROTE");
      assertThat(out("inspect", "--format", "{{json .HostConfig.Mounts}}", forcedId))
          .contains("\"ReadOnlyForceRecursive\":true");

      String[] notReadOnly = create("{\"Image\":\"" + image + "\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\","
          + "\"Source\":\"" + src + "\",\"Target\":\"/mnt\",\"BindOptions\":{\"ReadOnlyForceRecursive\":true}}]}}");
      assertThat(notReadOnly[0]).isEqualTo("400");
      assertThat(notReadOnly[1]).contains("option ReadOnlyForceRecursive requires ReadOnly");
    } finally {
      Commands.run(List.of("umount", "-l", sub.toString()), Duration.ofSeconds(10));
    }
  }

  @Test
  void pidHostSeesTheHostsInitAndIpcNoneHasNoShm() throws Exception {
    String hostInit = Files.readString(Path.of("/proc/1/comm")).strip();
    assertThat(out("run", "--rm", "--pid", "host", image, "cat", "/proc/1/comm").strip()).isEqualTo(hostInit);
    assertThat(out("run", "--rm", image, "cat", "/proc/1/comm").strip()).isEqualTo("cat");
    assertThat(out("run", "--rm", "--ipc", "none", image, "sh", "-c", "grep -c ' /dev/shm ' /proc/mounts || true")
        .strip()).isEqualTo("0");
  }

  @Test
  void utsAndPidOfAnotherContainerAreShared() {
    ok(berth("run", "-d", "--name", "donor", "-h", "shared-name", image, "sleep", "60"));
    assertThat(out("run", "--rm", "--uts", "container:donor", image, "hostname").strip()).isEqualTo("shared-name");
    assertThat(out("run", "--rm", "--pid", "container:donor", image, "cat", "/proc/1/comm").strip())
        .isEqualTo("sleep");
    ProcessResult conflict = berth("run", "--rm", "--uts", "host", "-h", "x", image, "true");
    assertThat(conflict.stderr()).contains("conflicting options: hostname and the UTS mode");
    ok(berth("stop", "-t", "0", "donor"));
    assertThat(berth("run", "--rm", "--ipc", "container:donor", image, "true").stderr())
        .contains("cannot join IPC of a non running container");
  }

  @Test
  void cgroupnsPrivateGivesTheContainerItsOwnCgroupNamespace() throws Exception {
    String host = Files.readSymbolicLink(Path.of("/proc/self/ns/cgroup")).toString();
    assertThat(out("run", "--rm", "--cgroupns", "host", image, "readlink", "/proc/self/ns/cgroup").strip())
        .isEqualTo(host);
    assertThat(out("run", "--rm", "--cgroupns", "private", image, "readlink", "/proc/self/ns/cgroup").strip())
        .isNotEqualTo(host).startsWith("cgroup:[");
  }

  @Test
  void groupAddShowsInId() {
    assertThat(out("run", "--rm", "--group-add", "nogroup", "--group-add", "1234", image, "id", "-G").strip()
        .split(" ")).containsExactlyInAnyOrder("0", "65534", "1234");
    assertThat(berth("run", "--rm", "--group-add", "nosuchgroup", image, "true").stderr())
        .contains("unable to find group nosuchgroup");
    ok(berth("run", "-d", "--name", "grouped", "--group-add", "1234", image, "sleep", "60"));
    assertThat(out("exec", "grouped", "id", "-G").strip().split(" ")).contains("1234");
    assertThat(out("exec", "-u", "nobody", "grouped", "id", "-G").strip().split(" ")).contains("65534", "1234");
  }

  @Test
  void dnsOptionsAndAddHostShowInTheEtcFiles() throws Exception {
    String resolv = out("run", "--rm", "--dns", "10.0.0.53", "--dns-search", "a.test", "--dns-option", "ndots:2",
        image, "cat", "/etc/resolv.conf");
    assertThat(resolv).contains("nameserver 10.0.0.53\n", "search a.test\n", "options ndots:2\n")
        .doesNotContain("nameserver 127.");
    String hosts = out("run", "--rm", "--add-host", "db:10.1.2.3", "--add-host", "gw:host-gateway", image, "cat",
        "/etc/hosts");
    String gateway = JSON.readTree(out("network", "inspect", "-f", "{{json .IPAM.Config}}", "bridge")).get(0)
        .path("Gateway").asText();
    assertThat(hosts).contains("10.1.2.3\tdb\n", gateway + "\tgw\n");
    ok(berth("network", "create", "fields-net"));
    String onNet = out("run", "--rm", "--network", "fields-net", "--add-host", "db:10.1.2.3", "--dns-search", "b.test",
        image, "sh", "-c", "cat /etc/hosts /etc/resolv.conf");
    assertThat(onNet).contains("10.1.2.3\tdb\n", "search b.test\n");
    ok(berth("network", "rm", "fields-net"));
  }

  @Test
  void sysctlShmSizeAndADeviceAreUsableInside() {
    assertThat(out("run", "--rm", "--sysctl", "net.ipv4.ip_forward=1", image, "cat", "/proc/sys/net/ipv4/ip_forward")
        .strip()).isEqualTo("1");
    assertThat(berth("run", "--rm", "--sysctl", "vm.swappiness=1", image, "true").stderr())
        .contains("sysctl \"vm.swappiness\" is not in a separate kernel namespace");
    assertThat(out("run", "--rm", "--shm-size", "1m", image, "df", "-k", "/dev/shm")).contains(" 1024 ");
    assertThat(out("run", "--rm", "--device", "/dev/null:/dev/mynull", image, "sh", "-c",
        "echo gone > /dev/mynull && stat -c '%t:%T' /dev/mynull").strip()).isEqualTo("1:3");
    assertThat(berth("run", "--rm", "--device", "/dev/berth-none", image, "true").stderr())
        .contains("error gathering device information while adding custom device \"/dev/berth-none\"");
    // a char device the default rules deny, allowed by a rule: /dev/full (1:7) made by mknod inside
    assertThat(berth("run", "--rm", image, "sh", "-c", "mknod /tmp/full c 1 7 && echo x > /tmp/full").exitCode())
        .isNotZero();
    assertThat(berth("run", "--rm", "--device-cgroup-rule", "c 1:7 rwm", image, "sh", "-c",
        "mknod /tmp/full c 1 7 && echo x > /tmp/full").stderr()).contains("No space left on device");
  }

  @Test
  void memoryTuningReachesTheCgroupAndInspect() throws Exception {
    String files = out("run", "--rm", "--memory", "64m", "--memory-reservation", "8m", "--memory-swappiness", "10",
        "--oom-kill-disable", image, "sh", "-c", "cd /sys/fs/cgroup/memory && cat memory.soft_limit_in_bytes "
            + "memory.swappiness && grep oom_kill_disable memory.oom_control");
    assertThat(files).isEqualTo("8388608\n10\noom_kill_disable 1\n");
    ok(berth("create", "--name", "tuned", "--memory-reservation", "8m", "--memory-swappiness", "10",
        "--oom-kill-disable", "--shm-size", "2m", "--pid", "host", "--group-add", "nogroup", image, "true"));
    JsonNode h = JSON.readTree(out("inspect", "-f", "{{json .HostConfig}}", "tuned"));
    assertThat(h.path("MemoryReservation").asLong()).isEqualTo(8L << 20);
    assertThat(h.path("MemorySwappiness").asLong()).isEqualTo(10);
    assertThat(h.path("OomKillDisable").asBoolean()).isTrue();
    assertThat(h.path("ShmSize").asLong()).isEqualTo(2L << 20);
    assertThat(h.path("PidMode").asText()).isEqualTo("host");
    assertThat(h.path("GroupAdd").toString()).isEqualTo("[\"nogroup\"]");
  }

  @Test
  void logDriversNoneAndLocalAndAnUnknownOne() {
    ok(berth("run", "--name", "quiet", "--log-driver", "none", image, "echo", "hi"));
    ProcessResult logs = berth("logs", "quiet");
    assertThat(logs.exitCode()).isNotZero();
    assertThat(logs.stderr()).contains("configured logging driver does not support reading");
    assertThat(out("inspect", "-f", "{{.HostConfig.LogConfig.Type}}", "quiet").strip()).isEqualTo("none");
    ok(berth("run", "--name", "local", "--log-driver", "local", image, "echo", "kept"));
    assertThat(out("logs", "local")).isEqualTo("kept\n");
    assertThat(berth("run", "--rm", "--log-driver", "bogus", image, "true").stderr())
        .contains("error looking up logging plugin bogus: plugin \"bogus\" not found");
  }

  @Test
  void configVolumesBecomeAnonymousVolumesFilledFromTheImageAndRmVRemovesThem() throws Exception {
    String[] created = create("{\"Image\":\"" + image + "\",\"Cmd\":[\"ls\",\"/etc\"],\"Volumes\":{\"/etc\":{}}}");
    assertThat(created[0]).as(created[1]).isEqualTo("201");
    String id = JSON.readTree(created[1]).path("Id").asText();
    JsonNode mounts = JSON.readTree(out("inspect", "-f", "{{json .Mounts}}", id));
    assertThat(mounts).hasSize(1);
    assertThat(mounts.get(0).path("Type").asText()).isEqualTo("volume");
    assertThat(mounts.get(0).path("Destination").asText()).isEqualTo("/etc");
    String volume = mounts.get(0).path("Name").asText();
    ok(berth("start", "-a", id));
    assertThat(Path.of(mounts.get(0).path("Source").asText(), "passwd")).exists(); // copied up from the image
    // the archive API reads and writes the volume, not the image's directory underneath
    Files.writeString(Path.of(mounts.get(0).path("Source").asText(), "only-in-volume"), "from the volume\n");
    assertThat(out("cp", id + ":/etc/only-in-volume", "-")).contains("from the volume");
    Path local = Files.writeString(dir.resolve("put-me"), "put\n");
    ok(berth("cp", local.toString(), id + ":/etc/"));
    assertThat(Path.of(mounts.get(0).path("Source").asText(), "put-me")).hasContent("put");
    ok(berth("rm", "-v", id));
    assertThat(out("volume", "ls", "-q")).doesNotContain(volume);
  }

  @Test
  void aLegacyLinkGivesEnvAndAHostsLineAndRmLinkRemovesIt() throws Exception {
    ok(berth("run", "-d", "--name", "linked-db", "-e", "DB_USER=app", "--expose", "5432", image, "sleep", "60"));
    String dbIp = out("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "linked-db").strip();
    String seen = out("run", "--name", "web", "--link", "linked-db:db", image, "sh", "-c",
        "env | grep ^DB_ | sort; grep db /etc/hosts; ping -c 1 -W 2 db >/dev/null && echo reached");
    assertThat(seen).contains("DB_NAME=/web/db\n", "DB_PORT=tcp://" + dbIp + ":5432\n",
        "DB_PORT_5432_TCP_ADDR=" + dbIp + "\n", "DB_ENV_DB_USER=app\n", dbIp + "\tdb ", "linked-db", "reached");
    assertThat(out("inspect", "-f", "{{json .HostConfig.Links}}", "web").strip()).isEqualTo("[\"/linked-db:/web/db\"]");
    ok(berth("rm", "--link", "/web/db"));
    assertThat(out("inspect", "-f", "{{json .HostConfig.Links}}", "web").strip()).isEqualTo("null");
    assertThat(out("ps", "-aq", "--filter", "name=linked-db")).isNotBlank(); // the linked container stays
    assertThat(berth("run", "--rm", "--link", "nosuch:x", image, "true").stderr())
        .contains("could not get container for nosuch");
    ok(berth("stop", "-t", "0", "linked-db"));
    ok(berth("create", "--name", "late", "--link", "linked-db:db", image, "true"));
    assertThat(berth("start", "late").stderr()).contains("Cannot link to a non running container: /linked-db AS /late/db");
  }

  @Test
  void aVolumeSubpathMountsThatDirectoryOfTheVolume() {
    ok(berth("run", "--rm", "-v", "shared:/v", image, "sh", "-c", "mkdir -p /v/app/conf && echo inside > /v/app/conf/f"));
    assertThat(out("run", "--rm", "--mount", "type=volume,src=shared,dst=/etc/app,volume-subpath=app/conf", image,
        "cat", "/etc/app/f")).isEqualTo("inside\n");
    assertThat(berth("run", "--rm", "--mount", "type=volume,src=shared,dst=/x,volume-subpath=missing", image, "true")
        .stderr()).contains("cannot mount subpath missing of volume shared");
  }

  @Test
  void fieldsBerthDoesNotHonourAreRefusedByName() {
    String img = "\"Image\":\"" + image + "\"";
    assertRefused("{" + img + ",\"HostConfig\":{\"BlkioWeight\":300}}",
        "HostConfig.BlkioWeight is not supported by Berth");
    assertRefused("{" + img + ",\"HostConfig\":{\"CgroupParent\":\"/x\"}}", "HostConfig.CgroupParent is not supported by Berth");
    assertRefused("{" + img + ",\"HostConfig\":{\"StorageOpt\":{\"size\":\"1G\"}}}",
        "--storage-opt is supported only for overlay over xfs with 'pquota' mount option");
    assertRefused("{" + img + ",\"MacAddress\":\"92:d0:c6:0a:29:33\"}", "MacAddress is not supported by Berth");
    assertRefused("{" + img + ",\"HostConfig\":{\"VolumeDriver\":\"nfs\"}}", "local volume driver only");
    assertRefused("{" + img + ",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"DriverOpts\":{\"a\":\"b\"}}}}}",
        "NetworkingConfig.EndpointsConfig.bridge.DriverOpts is not supported by Berth");
    assertRefused("{" + img + ",\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/v\","
        + "\"VolumeOptions\":{\"Subpath\":\"../up\"}}]}}", "subpath must be a relative path within the volume");
    // zero values are not requests: what clients send by default passes
    String[] fine = create("{" + img + ",\"HostConfig\":{\"BlkioWeight\":0,\"Links\":[],\"StorageOpt\":{},"
        + "\"VolumeDriver\":\"local\",\"Isolation\":\"default\",\"CpusetMems\":\"\"},\"MacAddress\":\"\"}");
    assertThat(fine[0]).as(fine[1]).isEqualTo("201");
  }

  private static void assertRefused(String body, String message) {
    String[] r = create(body);
    assertThat(r[0]).as(r[1]).isEqualTo("400");
    assertThat(r[1]).contains(message);
  }
}
