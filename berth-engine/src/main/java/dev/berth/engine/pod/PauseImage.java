package dev.berth.engine.pod;

import dev.berth.engine.BerthException;
import dev.berth.engine.image.ImageImporter;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.Reference;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The infra containers' image, made here once from the host's static catatonit (as podman builds
 * its pause image locally): nothing is pulled, so pods run on machines without a registry.
 */
final class PauseImage {
  static final String NAME = "localhost/berth-pause:catatonit";
  private static final List<Path> CATATONIT = List.of(Path.of("/usr/bin/catatonit"),
      Path.of("/usr/libexec/podman/catatonit"), Path.of("/usr/local/bin/catatonit"));

  private final ImageService images;
  private final ImageImporter importer;

  PauseImage(ImageService images, ImageImporter importer) {
    this.images = images;
    this.importer = importer;
  }

  /** The image's name, importing it first when it is missing. */
  synchronized String ensure() {
    if (images.lookup(NAME).isPresent()) {
      return NAME;
    }
    Path binary = CATATONIT.stream().filter(Files::isExecutable).findFirst()
        .orElseThrow(() -> new BerthException.Unavailable("pod sandboxes need catatonit (its infra process); "
            + "install the catatonit package"));
    try {
      byte[] tar = rootfs(Files.readAllBytes(binary.toRealPath()));
      importer.importTarball(new ByteArrayInputStream(tar), Optional.of(Reference.parse(NAME)),
          List.of("ENTRYPOINT [\"/catatonit\", \"-P\"]"), "Berth's pod infra image, from " + binary);
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot make the pod infra image from " + binary + ": " + e.getMessage(), e);
    }
    return NAME;
  }

  /** A rootfs of catatonit alone (a static binary: nothing else is needed). */
  static byte[] rootfs(byte[] catatonit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(catatonit.length + 4096);
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      TarArchiveEntry e = new TarArchiveEntry("catatonit");
      e.setMode(0755);
      e.setSize(catatonit.length);
      tar.putArchiveEntry(e);
      tar.write(catatonit);
      tar.closeArchiveEntry();
    }
    return out.toByteArray();
  }
}
