package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.BusyboxDaemon;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.Poll;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * berthd with {@code --userns-remap default} (daemon.json {@code "userns-remap": "default"}) on
 * temp roots. Its start creates the system user {@code berth} and its subordinate ranges when
 * missing, as dockerd creates {@code dockremap}; the user gets no group of its own, so the
 * sockets' default group (-G) stays as it was (SocketGroupIT, BerthdConfigTest).
 *
 * <p>A remapped container's runc must pass through every directory above its rootfs as an
 * unprivileged host user, and berthd refuses to start when one lacks o+x (tested below). Some
 * machines of this kind have "/" at 0644 (Debian's is 0755), where no remapped container of
 * Berth or dockerd can start; there this class gives "/" Debian's x bits (0755) for its run and
 * puts the old mode back afterwards (also from a shutdown hook), so the remapping is still tested.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UsernsRemapIT {
  @TempDir
  static Path dir;

  static BusyboxDaemon env;
  static String image;
  static int remappedUid;
  static int remappedGid;
  /** "/"'s permissions before this class gave it x bits; null when it had o+x already. */
  static Set<PosixFilePermission> rootModeBefore;
  static Thread restoreRootMode;

  @BeforeAll
  static void startARemappingDaemon() throws IOException {
    // JUnit's temp dir is 0700: the remapped root must be able to pass through it
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    makeRootSearchable();
    Files.createDirectories(dir.resolve("env/berthd"));
    Files.writeString(dir.resolve("env/berthd/daemon.json"), "{\"userns-remap\": \"default\"}\n");
    env = BusyboxDaemon.start(dir.resolve("env"));
    image = env.image();
    remappedUid = firstId(Path.of("/etc/subuid"));
    remappedGid = firstId(Path.of("/etc/subgid"));
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      if (env != null) {
        env.close();
      }
    } finally {
      if (restoreRootMode != null) {
        Runtime.getRuntime().removeShutdownHook(restoreRootMode);
        restoreRootMode.run();
      }
    }
  }

  private static void makeRootSearchable() throws IOException {
    Path root = Path.of("/");
    Set<PosixFilePermission> before = Files.getPosixFilePermissions(root);
    if (before.contains(PosixFilePermission.OTHERS_EXECUTE)) {
      return;
    }
    // Debian's 0755: the holder process execs before its maps exist, as host root without the
    // capability, so it needs the owner's x too; the container's root then needs the others' x.
    Set<PosixFilePermission> searchable = EnumSet.copyOf(before);
    searchable.addAll(List.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_EXECUTE));
    rootModeBefore = before;
    restoreRootMode = new Thread(() -> {
      try {
        Files.setPosixFilePermissions(root, rootModeBefore);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    Runtime.getRuntime().addShutdownHook(restoreRootMode);
    Files.setPosixFilePermissions(root, searchable);
    System.out.println("UsernsRemapIT: / was " + PosixFilePermissions.toString(before)
        + ", made " + PosixFilePermissions.toString(searchable) + " for this class's run (put back after it)");
  }

  /** The first id of the berth user's first range: container root on the host. */
  private static int firstId(Path file) throws IOException {
    return Files.readAllLines(file).stream().map(l -> l.split(":"))
        .filter(f -> f.length == 3 && f[0].equals("berth")).map(f -> Integer.parseInt(f[1]))
        .findFirst().orElseThrow(() -> new AssertionError("no berth line in " + file));
  }

  private static int hostUidOf(String container) throws IOException {
    String pid = env.ok("inspect", "-f", "{{.State.Pid}}", container).stdout().strip();
    return Files.readAllLines(Path.of("/proc", pid, "status")).stream().filter(l -> l.startsWith("Uid:"))
        .map(l -> Integer.parseInt(l.split("\\s+")[1])).findFirst().orElseThrow();
  }

  private static int owner(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  @Order(1)
  void containerRootIsRootInsideAndTheRemappedUidOnTheHost() throws IOException {
    assertThat(remappedUid).isGreaterThanOrEqualTo(100_000);
    String id = env.ok("run", "-d", "--name", "sleeper", image, "sleep", "300").stdout().strip();
    assertThat(env.ok("exec", "sleeper", "id", "-u").stdout().strip()).isEqualTo("0");
    assertThat(env.ok("exec", "sleeper", "cat", "/proc/self/uid_map").stdout().strip().split("\\s+"))
        .containsExactly("0", Integer.toString(remappedUid), "65536");
    assertThat(hostUidOf(id)).isEqualTo(remappedUid);
    // ps on the host says the same
    ProcessResult ps = dev.berth.testkit.Commands.run(List.of("ps", "-o", "uid=", "-p",
        env.ok("inspect", "-f", "{{.State.Pid}}", id).stdout().strip()), Duration.ofSeconds(30));
    assertThat(ps.stdout().strip()).isEqualTo(Integer.toString(remappedUid));
    // the container's own files: rootfs top dir, /etc files, /dev/shm and a tmpfs are writable by its root
    env.ok("exec", "sleeper", "sh", "-c", "echo x > /made && echo 10.0.0.9 extra >> /etc/hosts"
        + " && echo y > /dev/shm/s && hostname && cat /etc/resolv.conf > /dev/null");
    assertThat(env.ok("run", "--rm", "--tmpfs", "/t", image, "sh", "-c", "touch /t/a && stat -c %u /t/a")
        .stdout().strip()).isEqualTo("0");
    assertThat(env.ok("inspect", "-f", "{{.HostConfig.UsernsMode}}", id).stdout().strip()).isEmpty();
    // joining another remapped container's namespaces joins its user namespace too
    assertThat(env.ok("run", "--rm", "--network", "container:sleeper", "--pid", "container:sleeper", image, "sh", "-c",
        "id -u && ps -o comm | grep -c sleep").stdout().strip()).isEqualTo("0\n1");
    String hostOne = env.ok("run", "-d", "--userns=host", image, "sleep", "300").stdout().strip();
    assertThat(env.berth("run", "--rm", "--network", "container:" + hostOne, image, "true").stderr())
        .contains("give this container --userns=host too");
    env.ok("rm", "-f", id, hostOne);
  }

  @Test
  @Order(2)
  void aFileMadeInABindMountedHostDirBelongsToTheRemappedRoot() throws IOException {
    Path shared = Files.createDirectories(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    env.ok("run", "--rm", "-v", shared + ":/h", image, "sh", "-c", "echo hi > /h/made");
    assertThat(owner(shared.resolve("made"))).isEqualTo(remappedUid);
    assertThat((Integer) Files.getAttribute(shared.resolve("made"), "unix:gid")).isEqualTo(remappedGid);
    // a host file owned by host root is nobody's inside: it cannot be written
    Files.writeString(shared.resolve("hosts-own"), "root's\n");
    Files.setPosixFilePermissions(shared.resolve("hosts-own"), PosixFilePermissions.fromString("rw-r--r--"));
    ProcessResult denied = env.berth("run", "--rm", "-v", shared + ":/h", image, "sh", "-c",
        "echo more >> /h/hosts-own");
    assertThat(denied.exitCode()).as(denied.toString()).isNotZero();
    assertThat(shared.resolve("hosts-own")).hasContent("root's");
  }

  @Test
  @Order(3)
  void aNamedVolumeBelongsToTheRemappedRootAndKeepsItsFiles() throws IOException {
    env.ok("volume", "create", "remapped");
    Path data = Path.of(env.ok("volume", "inspect", "-f", "{{.Mountpoint}}", "remapped").stdout().strip());
    assertThat(owner(data)).isEqualTo(remappedUid);
    env.ok("run", "--rm", "-v", "remapped:/v", image, "sh", "-c", "echo kept > /v/f");
    assertThat(env.ok("run", "--rm", "-v", "remapped:/v", image, "cat", "/v/f").stdout().strip()).isEqualTo("kept");
    assertThat(owner(data.resolve("f"))).isEqualTo(remappedUid);
  }

  @Test
  @Order(4)
  void usernsHostRunsAsHostRoot() throws IOException {
    String id = env.ok("run", "-d", "--userns=host", image, "sleep", "300").stdout().strip();
    assertThat(hostUidOf(id)).isZero();
    assertThat(env.ok("inspect", "-f", "{{.HostConfig.UsernsMode}}", id).stdout().strip()).isEqualTo("host");
    env.ok("rm", "-f", id);
    // what a user namespace cannot do is refused in dockerd's words, and allowed with --userns=host
    assertThat(env.berth("run", "--rm", "--privileged", image, "true").stderr())
        .contains("privileged mode is incompatible with user namespaces.  You must run the container in the host "
            + "namespace when running privileged mode");
    assertThat(env.berth("run", "--rm", "--pid=host", image, "true").stderr())
        .contains("cannot share the host PID namespace when user namespaces are enabled");
    assertThat(env.berth("run", "--rm", "--network=host", image, "true").stderr())
        .contains("cannot share the host's network namespace when user namespaces are enabled");
    assertThat(env.ok("run", "--rm", "--pid=host", "--userns=host", image, "id", "-u").stdout().strip()).isEqualTo("0");
    ProcessResult bad = env.berth("run", "--rm", "--userns=other", image, "true");
    assertThat(bad.exitCode()).isEqualTo(125);
    assertThat(bad.stderr()).contains("invalid --userns: other");
  }

  @Test
  @Order(4)
  void infoSaysUsernsAndTheNetworkStillWorks() throws IOException {
    assertThat(env.ok("info", "--format", "{{json .SecurityOptions}}").stdout()).contains("\"name=userns\"");
    String id = env.ok("run", "-d", image, "sh", "-c",
        "mkdir -p /www && echo remapped > /www/index.html && exec httpd -f -p 80 -h /www").stdout().strip();
    String ip = env.ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", id).stdout().strip();
    assertThat(ip).isNotEmpty();
    String[] body = new String[1];
    boolean answered = Poll.until(Duration.ofSeconds(20), () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(ip, 80), 2000);
        s.setSoTimeout(5000);
        s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try (InputStream in = s.getInputStream()) {
          body[0] = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return body[0].contains("remapped");
      } catch (IOException notYet) {
        return false;
      }
    });
    assertThat(answered).as("the container's httpd answered on " + ip + ": " + body[0]).isTrue();
    // a second start makes its namespaces again
    env.ok("restart", "-t", "1", id);
    String again = env.ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", id).stdout().strip();
    assertThat(Poll.until(Duration.ofSeconds(20), () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(again, 80), 2000);
        return true;
      } catch (IOException notYet) {
        return false;
      }
    })).as("httpd after a restart on " + again).isTrue();
    assertThat(hostUidOf(id)).isEqualTo(remappedUid);
    env.ok("rm", "-f", id);
  }

  @Test
  @Order(5)
  void commitAndCopyInSpeakTheContainersIds() throws IOException {
    env.ok("run", "--name", "committer", image, "sh", "-c", "echo c > /committed");
    env.ok("commit", "committer", "remapped-commit:1");
    // the layer holds container ids: a container outside the remapping sees root's file
    assertThat(env.ok("run", "--rm", "--userns=host", "remapped-commit:1", "stat", "-c", "%u", "/committed")
        .stdout().strip()).isEqualTo("0");
    String id = env.ok("run", "-d", image, "sleep", "300").stdout().strip();
    Path file = Files.writeString(dir.resolve("to-copy"), "copied\n");
    env.ok("cp", file.toString(), id + ":/copied");
    assertThat(env.ok("exec", id, "stat", "-c", "%u %g", "/copied").stdout().strip()).isEqualTo("0 0");
    env.ok("rm", "-f", id, "committer");
    env.ok("rmi", "remapped-commit:1");
    // a build's RUN step runs remapped; its layer holds container ids too
    Path context = Files.createDirectories(dir.resolve("context"));
    Files.writeString(context.resolve("Dockerfile"), "FROM " + image + "\nRUN echo b > /built\n");
    env.ok("build", "-q", "-t", "remapped-build:1", context.toString());
    assertThat(env.ok("run", "--rm", "--userns=host", "remapped-build:1", "stat", "-c", "%u", "/built")
        .stdout().strip()).isEqualTo("0");
    assertThat(env.ok("run", "--rm", "remapped-build:1", "cat", "/built").stdout().strip()).isEqualTo("b");
    env.ok("rmi", "remapped-build:1");
  }

  @Test
  @Order(6)
  void removingTheImageRemovesItsShiftedCopiesAndTheSharedLayersStayUnshifted() throws IOException {
    env.removeAllContainers();
    Path dataRoot = env.daemon().dataRoot();
    Path shifted = dataRoot.resolve(remappedUid + "." + remappedGid).resolve("layers");
    List<Path> copies;
    try (Stream<Path> s = Files.list(shifted)) {
      copies = s.toList();
    }
    assertThat(copies).isNotEmpty();
    for (Path copy : copies) {
      assertThat(owner(copy.resolve("diff"))).isEqualTo(remappedUid);
      Path shared = dataRoot.resolve("layers").resolve(copy.getFileName()).resolve("diff");
      try (Stream<Path> files = Files.walk(shared)) {
        assertThat(files.filter(p -> {
          try {
            return owner(p) != 0;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }).toList()).as("files of the shared layer not owned by root").isEmpty();
      }
    }
    env.ok("rmi", image);
    List<Path> left;
    try (Stream<Path> s = Files.list(shifted)) {
      left = s.toList();
    }
    // the image's layers went, and their copies with them; a copy stays only beside its layer
    assertThat(left.size()).isLessThan(copies.size());
    assertThat(left).allSatisfy(copy ->
        assertThat(dataRoot.resolve("layers").resolve(copy.getFileName())).isDirectory());
  }

  @Test
  void aDataRootTheRemappedRootCannotReachStopsTheStart() throws IOException {
    Path closed = Files.createDirectories(dir.resolve("closed"));
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    Path base = dir.resolve("refused");
    Files.createDirectories(base);
    try (BerthdProcess d = BerthdProcess.launch(closed.resolve("data"), base.resolve("exec"),
        base.resolve("exec/berth.sock"), base, List.of("--userns-remap", "default"))) {
      assertThat(d.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
      assertThat(d.log()).contains("restricts access to the remapped root uid/gid; please fix by allowing 'o+x'")
          .contains("(" + closed + ")");
      assertThat(base.resolve("exec/berth.sock")).doesNotExist();
    } finally {
      Leftovers.removeUnder(base);
    }
    if (rootModeBefore != null) {
      // this host: "/" itself, in its own mode, stops every remapped container, so berthd says so at start
      Set<PosixFilePermission> searchable = Files.getPosixFilePermissions(Path.of("/"));
      Files.setPosixFilePermissions(Path.of("/"), rootModeBefore);
      Path open = dir.resolve("open");
      try (BerthdProcess d = BerthdProcess.launch(open.resolve("data"), open.resolve("exec"),
          open.resolve("exec/berth.sock"), open, List.of("--userns-remap", "default"))) {
        assertThat(d.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        assertThat(d.log()).contains("please fix by allowing 'o+x' permissions on existing directories (/)");
      } finally {
        Files.setPosixFilePermissions(Path.of("/"), searchable);
        Leftovers.removeUnder(open);
      }
    }
  }
}
