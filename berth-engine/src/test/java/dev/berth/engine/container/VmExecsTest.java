package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.microvm.GuestCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmExecsTest {
  @TempDir
  Path rootfs;

  private static Container vm(String user) {
    ContainerConfig base = ContainerConfig.ofImage("busybox", List.of("httpd"));
    ContainerConfig c = new ContainerConfig(base.image(), null, base.cmd(), List.of("A=1", "B=2"), "/srv", user, "web1",
        "", null, false, false, false, null, null, false, false, false, null, null, false, null, 0, 0, 0, 0, null, 0,
        null, null, null, null, null, null, "vm");
    return new Container("0123456789ab".repeat(5) + "0123", "web", "sha256:x", "busybox", Instant.EPOCH, c,
        new ContainerState.Running(1, Instant.EPOCH, false), 0, null);
  }

  @Test
  void theExecRunsWithTheContainersEnvWorkdirAndUserUnlessItSetsItsOwn() throws IOException {
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n");
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nwww:x:33:\n");

    GuestCommand same = VmExecs.command(vm("www"), new ContainerExecs.ExecConfig(List.of("id"), List.of(), "", "",
        false, false, false), rootfs);
    assertThat(same.env()).containsExactly("HOSTNAME=web1", "A=1", "B=2");
    assertThat(same.workingDir()).isEqualTo("/srv");
    assertThat(same.uid()).isEqualTo(33);

    GuestCommand own = VmExecs.command(vm("www"), new ContainerExecs.ExecConfig(List.of("id"), List.of("B=3", "C=4"),
        "0:0", "/tmp", false, false, false), rootfs);
    assertThat(own.env()).containsExactly("HOSTNAME=web1", "A=1", "B=3", "C=4");
    assertThat(own.workingDir()).isEqualTo("/tmp");
    assertThat(own.uid()).isZero();
    assertThat(own.args()).containsExactly("id");
  }
}
