package dev.berth.engine.vm;

import dev.berth.engine.BerthException;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageImporter;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * VM disks in OCI images, as KubeVirt's containerDisk carries them: one qcow2 or raw file under
 * {@code /disk/}, owned by uid 107 (qemu). {@link #diskOf} finds it in an image of the store (a VM
 * boots from an overlay over it); {@link #commit} stores a stopped VM's disk back as such an image.
 */
public final class VmDiskImages {
  static final String DISK_DIR = "disk";
  private static final int QEMU_UID = 107; // KubeVirt's convention for containerDisk files

  /** The disk file an image carries, inside the layer store (read-only: VMs get an overlay over it). */
  public record DiskFile(Image image, Path file) {}

  private final VmService vms;
  private final ImageService images;
  private final ImageImporter importer;
  private final Path scratch;

  public VmDiskImages(VmService vms, ImageService images, ImageImporter importer, Path scratch) {
    this.vms = vms;
    this.images = images;
    this.importer = importer;
    this.scratch = scratch;
  }

  /**
   * The file under /disk/ of {@code ref}'s image: the first, by name, of the top-most layer that
   * has one (a whiteout in a higher layer hides a lower layer's file of that name).
   */
  static DiskFile diskOf(ImageService images, String ref) {
    Image image = images.find(ref);
    Set<String> hidden = new HashSet<>();
    List<Image.ImageLayer> layers = image.layers();
    for (int i = layers.size() - 1; i >= 0; i--) {
      Path dir = images.layers().diffDir(layers.get(i).chainId()).resolve(DISK_DIR);
      if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      try (Stream<Path> entries = Files.list(dir)) {
        for (Path p : entries.sorted().toList()) {
          String name = p.getFileName().toString();
          if (hidden.contains(name)) {
            continue;
          }
          if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return new DiskFile(image, p);
          }
          hidden.add(name); // a whiteout, a link or a directory: not a disk, and it hides what is below
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
      }
    }
    throw new BerthException.InvalidArgument("image " + ref + " carries no VM disk: a disk image has one qcow2 or "
        + "raw file under /disk/ (KubeVirt's containerDisk), e.g. made with berth vm commit");
  }

  /**
   * A new single-layer image holding {@code vmRef}'s disk as /disk/disk.qcow2, flattened (its base
   * merged in, snapshots left out), tagged {@code tag}. The VM must be stopped.
   */
  public Image commit(String vmRef, Optional<Reference> tag) {
    Vm vm = vms.inspect(vmRef);
    if (vm.state().hasProcess()) {
      throw new BerthException.Conflict("VM " + vm.name() + " is " + vm.state().name()
          + "; stop it before committing its disk (berth vm stop " + vm.name() + ")");
    }
    if (vm.config().disk() == null) {
      throw new BerthException.InvalidArgument("VM " + vm.name() + " has no disk to commit (it boots a kernel only)");
    }
    Path flat = null;
    try {
      Files.createDirectories(scratch);
      flat = Files.createTempFile(scratch, "vm-commit-", ".qcow2");
      vms.qemu().convert(vm.config().disk(), flat);
      Path disk = flat;
      PipedInputStream tarIn = new PipedInputStream(1 << 16);
      PipedOutputStream tarOut = new PipedOutputStream(tarIn);
      Thread writer = Thread.ofVirtual().name("vm-commit-tar").start(() -> writeTar(disk, tarOut));
      try (InputStream in = tarIn) {
        return importer.importTarball(in, tag, List.of(), "berth vm commit " + vm.name());
      } finally {
        writer.interrupt();
      }
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot commit the disk of VM " + vm.name() + ": " + e.getMessage());
    } finally {
      if (flat != null) {
        try {
          Files.deleteIfExists(flat);
        } catch (IOException ignored) {
          // in the data-root's tmp dir, cleared at the next start
        }
      }
    }
  }

  private static void writeTar(Path disk, OutputStream out) {
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      TarArchiveEntry dir = new TarArchiveEntry(DISK_DIR + "/");
      dir.setMode(0755);
      dir.setIds(QEMU_UID, QEMU_UID);
      tar.putArchiveEntry(dir);
      tar.closeArchiveEntry();
      TarArchiveEntry file = new TarArchiveEntry(DISK_DIR + "/disk.qcow2");
      file.setMode(0444);
      file.setIds(QEMU_UID, QEMU_UID);
      file.setSize(Files.size(disk));
      tar.putArchiveEntry(file);
      Files.copy(disk, tar);
      tar.closeArchiveEntry();
    } catch (IOException e) {
      // The importer sees a truncated tar (or the pipe closed because it failed first).
    }
  }
}
