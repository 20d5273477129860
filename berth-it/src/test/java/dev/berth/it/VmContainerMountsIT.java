package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Volumes, binds and tmpfs of {@code --isolation=vm} containers (shared over virtio-9p, mounted
 * by the guest init), through bin/berth and the docker CLI; TCG as in {@link VmContainerIT}. Each
 * test boots one microVM and checks as much as it can with it.
 */
@Tag("integration")
class VmContainerMountsIT extends MicroVmDaemonTest {
  @Test
  void volumesBindsTmpfsAndVolumesFromAreMountedInTheGuestAndShared() throws IOException {
    Path rw = Files.createDirectories(dir.resolve("host-rw"));
    Path ro = Files.createDirectories(dir.resolve("host-ro"));
    Files.writeString(ro.resolve("hello"), "from the host\n");
    ok(berth("volume", "create", "vmdata"));
    // a plain container holds a named and an anonymous volume; the microVM takes them with --volumes-from
    ok(berth("create", "--name", "holder", "-v", "vmdata:/data", "-v", "/anon", image, "true"));

    ProcessResult r = berth("run", "--rm", "--isolation=vm", "--volumes-from", "holder", "-v", rw + ":/rw",
        "-v", ro + ":/ro:ro", "--tmpfs", "/scratch:size=1m", image, "sh", "-c",
        "echo from the guest > /data/f; echo anon > /anon/a; echo bind > /rw/g; cat /ro/hello;"
            + " if touch /ro/x 2>/dev/null; then echo ro writable; else echo ro refused; fi;"
            + " echo tmp > /scratch/t && cat /scratch/t; grep ' /scratch ' /proc/mounts | cut -d' ' -f3;"
            + " grep ' /data ' /proc/mounts | cut -d' ' -f3");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).isEqualTo("from the host\nro refused\ntmp\ntmpfs\n9p\n");
    assertThat(rw.resolve("g")).hasContent("bind");
    assertThat(ro.resolve("x")).doesNotExist();
    JsonNode volume = JSON.readTree(ok(berth("volume", "inspect", "vmdata")).stdout()).get(0);
    assertThat(Path.of(volume.get("Mountpoint").asText()).resolve("f")).hasContent("from the guest");
    // a plain container sharing the volumes sees what the guest wrote
    assertThat(ok(berth("run", "--rm", "--volumes-from", "holder", image, "cat", "/data/f", "/anon/a")).stdout())
        .isEqualTo("from the guest\nanon\n");
  }

  @Test
  void dockerRunIsolationVmWithAVolume() {
    Path docker = Path.of("/usr/local/bin/docker");
    Assumptions.assumeTrue(Files.isExecutable(docker), "the docker CLI is not at /usr/local/bin/docker");
    Map<String, String> env = Map.of("DOCKER_CONFIG", dir.resolve("docker-config").toString());
    ProcessResult r = Commands.run(List.of(docker.toString(), "-H", daemon.host(), "run", "--rm", "--isolation=vm",
        "-v", "dockervol:/v", image, "sh", "-c", "echo via docker > /v/file; cat /v/file"), env, RUN);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).isEqualTo("via docker\n");
    ProcessResult plain = Commands.run(List.of(docker.toString(), "-H", daemon.host(), "run", "--rm",
        "-v", "dockervol:/v", image, "cat", "/v/file"), env, RUN);
    assertThat(plain.stdout()).as(plain.toString()).isEqualTo("via docker\n");
  }

  @Test
  void aFileBindIsRefusedAtCreateAndNothingIsLeft() throws IOException {
    Path file = Files.writeString(dir.resolve("app.conf"), "x");
    ProcessResult r = berth("create", "--isolation=vm", "-v", file + ":/etc/app.conf", image, "true");

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr()).contains("bind the directory that holds the file");
    assertThat(berth("ps", "-aq").stdout()).isBlank();
  }
}
