package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.microvm.GuestMount;
import dev.berth.engine.volume.MountPoint;
import dev.berth.engine.volume.MountType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmMountsTest {
  @TempDir
  Path dir;

  private static MountPoint bind(Path source, String dest, boolean rw) {
    return new MountPoint(MountType.BIND, "", source.toString(), dest, rw, "", "", false, List.of(), false, true);
  }

  @Test
  void mountPointsAreMadeInsideTheRootfsFollowingItsLinksThere() throws Exception {
    Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
    Files.createDirectories(rootfs.resolve("real"));
    Files.createSymbolicLink(rootfs.resolve("link"), Path.of("/real")); // absolute: must stay in the rootfs
    Path src = Files.createDirectories(dir.resolve("src"));
    MountPoint tmpfs = new MountPoint(MountType.TMPFS, "", "", "/scratch", true, "", "", false,
        List.of("noexec", "tmpcopyup", "size=1m"), false, true);

    List<GuestMount> mounts = VmMounts.forGuest("abc", List.of(bind(src, "/link/data", false), tmpfs), rootfs);

    assertThat(mounts).containsExactly(new GuestMount.Share(src, "/real/data", true),
        new GuestMount.Tmpfs("/scratch", List.of("noexec", "size=1m")));
    assertThat(rootfs.resolve("real/data")).isDirectory();
    assertThat(rootfs.resolve("scratch")).isDirectory();
  }

  @Test
  void aFileBindAndTooManySharesAreRefusedNamingWhatToDo() throws Exception {
    Path file = Files.writeString(dir.resolve("app.conf"), "x");
    assertThatThrownBy(() -> VmMounts.checkSources("abc", List.of(bind(file, "/etc/app.conf", false))))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("bind the directory");
    List<MountPoint> many = new ArrayList<>();
    for (int i = 0; i <= VmMounts.MAX_SHARES; i++) {
      many.add(bind(dir, "/m" + i, true));
    }
    assertThatThrownBy(() -> VmMounts.checkSources("abc", many)).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("more than " + VmMounts.MAX_SHARES);
    VmMounts.checkSources("abc", many.subList(0, VmMounts.MAX_SHARES));
  }
}
