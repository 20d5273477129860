package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.Commands;
import dev.berth.testkit.DockerdProcess;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.image.BusyboxImage;
import dev.berth.testkit.registry.LocalRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives move between Berth and a real dockerd both ways, keeping the image ID. */
@Tag("integration")
class DockerInteropIT {
  @TempDir
  Path dir;

  private static ProcessResult ok(ProcessResult r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  @Test
  void berthSaveLoadsIntoDockerAndDockerSaveLoadsIntoBerth() {
    Assumptions.assumeTrue(DockerdProcess.available(), "dockerd is not installed: apt-get install docker.io");
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
        BerthdProcess berth = BerthdProcess.start(dir.resolve("berthd"));
        DockerdProcess docker = DockerdProcess.start(dir.resolve("dockerd"))) {
      BusyboxImage.Layout layout = BusyboxImage.writeOciLayout(dir.resolve("layout"), "latest");
      String name = registry.host() + "/interop/busybox:latest";
      layout.pushTo(name);
      ok(Commands.berth(berth.host(), "pull", "-q", name));

      Path fromBerth = dir.resolve("from-berth.tar");
      ok(Commands.berth(berth.host(), "save", "-o", fromBerth.toString(), name));
      assertThat(ok(docker.docker("load", "-i", fromBerth.toString())).stdout()).contains("Loaded image: " + name);
      assertThat(ok(docker.docker("image", "inspect", name, "--format", "{{.Id}}")).stdout().strip())
          .isEqualTo(layout.configDigest());

      ok(docker.docker("tag", name, "from-docker:v1"));
      Path fromDocker = dir.resolve("from-docker.tar");
      ok(docker.docker("save", "-o", fromDocker.toString(), "from-docker:v1"));
      ok(Commands.berth(berth.host(), "rmi", name));
      assertThat(ok(Commands.berth(berth.host(), "load", "-i", fromDocker.toString())).stdout())
          .contains("Loaded image: from-docker:v1");
      assertThat(ok(Commands.berth(berth.host(), "image", "inspect", "from-docker:v1", "-f", "{{.Id}}")).stdout().strip())
          .isEqualTo(layout.configDigest());
    }
  }
}
