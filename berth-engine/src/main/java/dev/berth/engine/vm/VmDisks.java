package dev.berth.engine.vm;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A VM's boot disk: which one the options ask for ({@code --disk} as a size or a file,
 * {@code --from-disk}, {@code --image}), checked before anything is made, then made in the
 * VM's directory (a new qcow2, or an overlay on a base) or used as it is.
 */
final class VmDisks {
  private VmDisks() {}

  /** The disk a VM should boot from; {@code base} is the file an overlay is made on (from-disk or image). */
  record Choice(boolean newDisk, long newDiskBytes, Path userDisk, VmDiskImages.DiskFile fromImage, Path base) {}

  /** The disk file and its format, or nulls for a VM without one (it boots a kernel). */
  record Made(String disk, String format) {}

  /** Reads the disk options; {@code diskImage} finds an image's disk file. */
  static Choice choose(VmSpec spec, Function<String, VmDiskImages.DiskFile> diskImage) {
    if (Stream.of(spec.disk(), spec.fromDisk(), spec.image()).filter(d -> d != null).count() > 1) {
      throw new BerthException.InvalidArgument("give one of --disk, --from-disk and --image, not several");
    }
    boolean newDisk = spec.disk() != null && ByteSize.looksLikeSize(spec.disk()) && !Files.exists(Path.of(spec.disk()));
    long newDiskBytes = newDisk ? ByteSize.parse("--disk", spec.disk()) : 0;
    Path userDisk = spec.disk() != null && !newDisk ? readableFile("--disk", spec.disk()) : null;
    VmDiskImages.DiskFile fromImage = spec.image() == null ? null : diskImage.apply(spec.image());
    Path base = fromImage != null ? fromImage.file()
        : spec.fromDisk() == null ? null : readableFile("--from-disk", spec.fromDisk());
    return new Choice(newDisk, newDiskBytes, userDisk, fromImage, base);
  }

  /** Makes the chosen disk in {@code dir}. */
  static Made make(Qemu q, Choice c, Path dir) throws IOException {
    if (c.newDisk()) {
      Path file = dir.resolve("disk.qcow2");
      q.createDisk(file, c.newDiskBytes());
      return new Made(file.toString(), "qcow2");
    } else if (c.userDisk() != null) {
      return new Made(c.userDisk().toString(), q.imageFormat(c.userDisk()));
    } else if (c.base() != null) {
      Path file = dir.resolve("disk.qcow2");
      q.createOverlay(file, c.base(), q.imageFormat(c.base()));
      return new Made(file.toString(), "qcow2");
    }
    return new Made(null, null);
  }

  /** Copies a VM's file (disk, seed) into a clone's directory; the copy's path. */
  static String copyInto(Path dir, Path file) throws IOException {
    Path target = dir.resolve(file.getFileName());
    Files.copy(file, target);
    return target.toString();
  }

  static Path readableFile(String option, String value) {
    Path p = Path.of(value).toAbsolutePath().normalize();
    if (!Files.isRegularFile(p)) {
      throw new BerthException.InvalidArgument(option + " " + value + ": no such file (give the path of a readable file)");
    }
    // Open it: as root, permission bits say little about readability (a file on a dead mount).
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
      f.read();
    } catch (IOException e) {
      throw new BerthException.InvalidArgument(option + " " + value + ": cannot read it (" + e.getMessage() + ")");
    }
    return p;
  }
}
