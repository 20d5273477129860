package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.runtime.spec.Mount;
import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.User;
import dev.berth.engine.volume.MountPoint;
import dev.berth.engine.volume.MountType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerMountsTest {
  @TempDir
  Path dir;

  private static ContainerStorage storage(MountPoint... points) {
    return new ContainerStorage(List.of(), List.of(), Map.of(), List.of(), List.of(points));
  }

  private static MountPoint volume(String name, String source, String dest, boolean copyUp) {
    return new MountPoint(MountType.VOLUME, name, source, dest, true, "z", "", copyUp, List.of(), false, true);
  }

  @Test
  void specHasRbindsWithTheirModeAndTmpfsWithItsOptions() {
    List<Mount> mounts = ContainerMounts.specMounts(storage(
        new MountPoint(MountType.BIND, "", "/srv", "/s", false, "ro", "rprivate", false, List.of(), false, true),
        volume("data", "/var/lib/berth/volumes/data/_data", "/data", true),
        new MountPoint(MountType.TMPFS, "", "", "/t", true, "", "", false, List.of("noexec", "nosuid", "nodev",
            "size=64m"), false, false)));
    assertThat(mounts).containsExactly(
        new Mount("/s", "bind", "/srv", List.of("rbind", "ro", "rprivate")),
        new Mount("/data", "bind", "/var/lib/berth/volumes/data/_data", List.of("rbind", "rw", "rprivate")),
        new Mount("/t", "tmpfs", "tmpfs", List.of("noexec", "nosuid", "nodev", "size=64m")));
  }

  @Test
  void aRecursivelyReadOnlyBindAsksRuncForRro() {
    List<Mount> mounts = ContainerMounts.specMounts(storage(new MountPoint(MountType.BIND, "", "/srv", "/s", false, "",
        "rprivate", false, List.of(), false, true, "", true)));
    assertThat(mounts).containsExactly(new Mount("/s", "bind", "/srv", List.of("rbind", "ro", "rro", "rprivate")));
  }

  @Test
  void anEmptyVolumeIsFilledFromTheImageWithModesKept() throws Exception {
    Path inImage = Files.createDirectories(dir.resolve("rootfs/etc/conf.d"));
    Files.writeString(inImage.resolve("app.conf"), "x=1\n");
    Files.setPosixFilePermissions(inImage.resolve("app.conf"), PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(inImage, PosixFilePermissions.fromString("rwxr-x---"));
    Path fresh = Files.createDirectories(dir.resolve("fresh"));
    Path used = Files.createDirectories(dir.resolve("used"));
    Files.writeString(used.resolve("mine"), "keep");
    Path nocopy = Files.createDirectories(dir.resolve("nocopy"));

    ContainerMounts.copyUp(storage(volume("fresh", fresh.toString(), "/etc/conf.d", true),
        volume("used", used.toString(), "/etc/conf.d", true),
        volume("nocopy", nocopy.toString(), "/etc/conf.d", false),
        volume("absent", dir.resolve("absent-src").toString(), "/not/in/image", true)), dir.resolve("rootfs"));

    assertThat(fresh.resolve("app.conf")).hasContent("x=1");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh.resolve("app.conf"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rwxr-x---");
    assertThat(used).isDirectoryNotContaining(p -> p.getFileName().toString().equals("app.conf"));
    assertThat(nocopy).isEmptyDirectory();
  }

  @Test
  void aVolumeOnEtcComesBeforeTheEtcFilesAndAUserMountOnAnEtcFileWins() {
    ContainerConfig c = ContainerConfig.ofImage("i", List.of("true")).withStorage(storage(
        volume("etc", "/vol/etc", "/etc", true),
        new MountPoint(MountType.BIND, "", "/my/hosts", "/etc/hosts", false, "ro", "rprivate", false, List.of(),
            false, true)));
    Spec spec = ContainerSpecs.build("a".repeat(64), c, Path.of("/c/rootfs"), new ContainerSpecs.EtcFiles(
        Path.of("/c/hosts"), Path.of("/c/hostname"), Path.of("/c/resolv.conf")), new User(0, 0, null, null),
        Path.of("/usr/bin/tini"), 20000, ContainerSpecs.ALL_CAPS);
    List<String> order = spec.mounts().stream().map(Mount::destination).filter(d -> d.startsWith("/etc")).toList();
    assertThat(order.getFirst()).isEqualTo("/etc");
    assertThat(order).containsExactlyInAnyOrder("/etc", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf");
    assertThat(spec.mounts()).filteredOn(m -> m.destination().equals("/etc/hosts")).extracting(Mount::source)
        .containsExactly("/my/hosts");
  }
}
