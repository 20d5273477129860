package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * berth cp, diff, export, commit, events and system df/prune through a real berthd, runc and
 * conmon. One daemon and registry for the class; every test removes its containers.
 */
@Tag("integration")
class ContainerFilesIT extends BusyboxDaemonTest {

  @AfterEach
  void removeContainers() {
    removeAll();
  }

  private static void removeAll() {
    env.removeAllContainers();
  }

  private static String out(String... args) {
    return ok(berth(args)).stdout().strip();
  }

  private static boolean mounted(String id) {
    return Commands.run(List.of("findmnt", "-rn", "-o", "TARGET"), Duration.ofSeconds(10)).stdout()
        .contains(id + "/rootfs");
  }

  @Test
  void cpWorksBothWaysOnRunningAndStoppedContainersAndStaysInsideTheRootfs() throws IOException {
    ok(berth("run", "-d", "--name", "box", image, "sleep", "300"));
    Path tree = Files.createDirectories(dir.resolve("tree/sub"));
    Files.writeString(tree.resolve("f.txt"), "from host\n");
    ProcessResult in = ok(berth("cp", dir.resolve("tree").toString(), "box:/tmp/tree"));
    assertThat(in.stderr()).contains("Successfully copied 10B to box:/tmp/tree");
    assertThat(out("exec", "box", "cat", "/tmp/tree/sub/f.txt")).isEqualTo("from host");

    // A link in the container pointing at a host path resolves inside the container's rootfs.
    Path hostDir = Files.createDirectories(dir.resolve("host-only"));
    ok(berth("exec", "box", "sh", "-c", "mkdir -p " + hostDir + " && ln -s " + hostDir + " /tmp/trap"));
    ok(berth("cp", tree.resolve("f.txt").toString(), "box:/tmp/trap/"));
    // The same through a tar on stdin: the daemon resolves the link inside the rootfs itself.
    Files.writeString(dir.resolve("g.txt"), "from a tar\n");
    Path archive = dir.resolve("g.tar");
    ok(Commands.run(List.of("tar", "-C", dir.toString(), "-cf", archive.toString(), "g.txt"), Duration.ofSeconds(30)));
    ok(Commands.run(Commands.berthCommand(daemon.host(), "cp", "-", "box:/tmp/trap"), Map.of(), archive,
        Duration.ofMinutes(1)));
    assertThat(hostDir.resolve("g.txt")).doesNotExist();
    assertThat(out("exec", "box", "cat", hostDir + "/g.txt")).isEqualTo("from a tar");
    assertThat(hostDir.resolve("f.txt")).doesNotExist();
    assertThat(out("exec", "box", "cat", hostDir + "/f.txt")).isEqualTo("from host");

    // A stopped container: its rootfs is mounted for the copy and unmounted after.
    String id = ok(berth("create", "--name", "parked", image, "true")).stdout().strip();
    ok(berth("cp", tree.resolve("f.txt").toString(), "parked:/etc/added.txt"));
    assertThat(mounted(id)).isFalse();
    Path back = Files.createDirectories(dir.resolve("back"));
    ok(berth("cp", "parked:/etc/added.txt", back.resolve("copy.txt").toString()));
    assertThat(back.resolve("copy.txt")).hasContent("from host");
    assertThat(mounted(id)).isFalse();

    // A tar stream on stdout, and -L following a link.
    ok(berth("exec", "box", "ln", "-s", "/etc/passwd", "/tmp/pw"));
    ProcessResult tar = Commands.run(List.of("sh", "-c", String.join(" ", Commands.berthCommand(daemon.host(),
        "cp", "box:/etc/passwd", "-")) + " | tar -tf -"), Duration.ofMinutes(1));
    assertThat(tar.stdout().strip()).isEqualTo("passwd");
    ok(berth("cp", "-L", "box:/tmp/pw", back.resolve("pw").toString()));
    assertThat(back.resolve("pw")).content().contains("nobody:x:65534");

    ProcessResult missing = berth("cp", "box:/no/such", back.toString());
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.stderr()).contains("Could not find the file /no/such in container box");
    ProcessResult noContainer = berth("cp", "ghost:/etc/passwd", back.toString());
    assertThat(noContainer.stderr()).contains("No such container: ghost");

    // A read-only rootfs takes no files, as with Docker.
    ok(berth("create", "--name", "sealed", "--read-only", image, "true"));
    ProcessResult sealed = berth("cp", tree.resolve("f.txt").toString(), "sealed:/tmp/");
    assertThat(sealed.exitCode()).isEqualTo(1);
    assertThat(sealed.stderr()).contains("container rootfs is marked read-only");
  }

  @Test
  void diffShowsChangesAndCommitMakesAnImageThatRuns() {
    ok(berth("run", "-d", "--name", "changer", image, "sleep", "300"));
    ok(berth("exec", "changer", "sh", "-c", "echo new > /new.txt && rm /etc/layer3 && echo more >> /etc/passwd"));
    assertThat(out("diff", "changer").lines().toList()).containsExactly("C /etc", "D /etc/layer3", "C /etc/passwd",
        "A /new.txt");

    String id = out("commit", "-a", "someone", "-m", "a message", "-c", "CMD [\"cat\", \"/new.txt\"]", "-c",
        "ENV FROM_COMMIT=1", "changer", "made:v1");
    assertThat(id).matches("sha256:[0-9a-f]{64}");
    assertThat(out("inspect", "-f", "{{.State.Status}}", "changer")).isEqualTo("running");
    assertThat(out("run", "--rm", "made:v1")).isEqualTo("new");
    assertThat(out("run", "--rm", "made:v1", "sh", "-c", "echo $FROM_COMMIT; test -e /etc/layer3 || echo gone; "
        + "tail -1 /etc/passwd")).isEqualTo("1\ngone\nmore");
    assertThat(out("history", "made:v1")).contains("a message");

    // export: the merged rootfs, with the changes.
    Path exported = dir.resolve("changer.tar");
    ok(berth("export", "-o", exported.toString(), "changer"));
    String listing = Commands.run(List.of("tar", "-tf", exported.toString()), Duration.ofSeconds(30)).stdout();
    assertThat(listing).contains("new.txt", "bin/busybox", "etc/passwd").doesNotContain("etc/layer3");
    ok(berth("rm", "-f", "changer"));
    ok(berth("rmi", "made:v1"));
  }

  @Test
  void eventsReplayFilterAndEndAtUntil() {
    Instant start = Instant.now();
    String since = start.getEpochSecond() + "." + String.format("%09d", start.getNano());
    ok(berth("run", "--name", "ev", "--label", "suite=files", image, "true"));
    ok(berth("rm", "ev"));
    String until = Long.toString(Instant.now().getEpochSecond() + 1);
    String actions = out("events", "--since", since, "--until", until, "--filter", "container=ev", "--format",
        "{{.Action}}");
    assertThat(actions.lines().toList()).containsSubsequence("create", "start", "die", "destroy");
    assertThat(out("events", "--since", since, "--until", until, "--filter", "event=die", "--filter",
        "label=suite=files")).matches("\\S+ container die [0-9a-f]{64} \\(exitCode=0, image=\\S+, name=ev, .*suite=files\\)");
    assertThat(out("events", "--since", since, "--until", until, "--filter", "type=image")).isEmpty();
    ProcessResult bad = berth("events", "--filter", "color=blue", "--until", until);
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.stderr()).contains("invalid filter 'color'");
  }

  @Test
  void systemDfAndPrune() {
    String keep = out("run", "-d", "--name", "keep", image, "sleep", "300");
    String gone = out("create", "--name", "gone", image, "true");
    assertThat(out("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}"))
        .isEqualTo("Images 1 1\nContainers 2 1\nLocal Volumes 0 0\nBuild Cache 0 0");
    String pruned = out("system", "prune", "-f");
    assertThat(pruned).contains("Deleted Containers:\n" + gone).contains("Total reclaimed space:")
        .doesNotContain(keep);
    assertThat(out("ps", "-aq", "--no-trunc")).isEqualTo(keep);
  }
}
