package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestMountTest {
  private static final List<GuestMount> MOUNTS = List.of(
      new GuestMount.Share(Path.of("/var/lib/berth/volumes/data/_data"), "/data", false),
      new GuestMount.Tmpfs("/run/cache", List.of("noexec", "size=65536k")),
      new GuestMount.Share(Path.of("/srv/my,conf"), "/etc/my app", true));

  @Test
  void theGuestInitReadsOneLinePerMountInOrderWithTheTargetLast() {
    assertThat(GuestMount.guestConfig(MOUNTS)).isEqualTo("""
        9p vol0 rw /data
        tmpfs noexec,size=65536k - /run/cache
        9p vol1 ro /etc/my app
        """);
  }

  @Test
  void aReadOnlyShareIsReadOnlyInQemuTooAndCommasInPathsAreEscaped() {
    List<String> args = GuestMount.qemuArgs(MOUNTS);

    assertThat(args).containsExactly(
        "-fsdev", "local,id=vol0,path=/var/lib/berth/volumes/data/_data,security_model=none",
        "-device", "virtio-9p-device,fsdev=vol0,mount_tag=vol0",
        "-fsdev", "local,id=vol1,path=/srv/my,,conf,security_model=none,readonly=on",
        "-device", "virtio-9p-device,fsdev=vol1,mount_tag=vol1");
  }
}
