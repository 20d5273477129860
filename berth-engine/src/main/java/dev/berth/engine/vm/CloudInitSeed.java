package dev.berth.engine.vm;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A cloud-init NoCloud seed: a small FAT image labelled {@code cidata} holding user-data and
 * meta-data. Made with mkfs.vfat (dosfstools) and mcopy (mtools), which need no loop mounts.
 */
public final class CloudInitSeed {
  private CloudInitSeed() {}

  public static void write(Path image, Path userData, String instanceId, String hostname) {
    Path mkfs = Qemu.onPath("mkfs.vfat").orElseThrow(() -> new BerthException.Unavailable(
        "mkfs.vfat not found; --cloud-init needs it (Debian: apt-get install dosfstools)"));
    Path mcopy = Qemu.onPath("mcopy").orElseThrow(() -> new BerthException.Unavailable(
        "mcopy not found; --cloud-init needs it (Debian: apt-get install mtools)"));
    Path work = image.resolveSibling("seed-files");
    try {
      Files.createDirectories(work);
      Path user = work.resolve("user-data");
      Path meta = work.resolve("meta-data");
      Files.copy(userData, user);
      Files.writeString(meta, "instance-id: " + instanceId + "\nlocal-hostname: " + hostname + "\n");
      // 1 MiB is plenty for user-data; the size is in KiB blocks.
      Qemu.run(List.of(mkfs.toString(), "-n", "cidata", "-C", image.toString(), "1024"), "mkfs.vfat");
      Qemu.run(List.of(mcopy.toString(), "-i", image.toString(), user.toString(), meta.toString(), "::"), "mcopy");
    } catch (IOException e) {
      throw new BerthException.InvalidArgument("cannot build the cloud-init seed from " + userData + ": "
          + e.getMessage());
    } finally {
      try (var files = Files.list(work)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
        Files.deleteIfExists(work);
      } catch (IOException ignored) {
        // leftovers go with the VM's dir
      }
    }
  }
}
