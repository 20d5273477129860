package dev.berth.engine.runtime;

import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.SpecJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** An OCI bundle: a directory holding {@code config.json} (and usually the rootfs). */
public record Bundle(Path dir) {
  public Bundle {
    dir = dir.toAbsolutePath().normalize();
  }

  public Path configFile() {
    return dir.resolve("config.json");
  }

  /**
   * Writes {@code config.json}: temp file, then rename, so the runtime never reads half a file.
   * No fsync: the bundle is rewritten at every start, and after a power cut no container runs.
   */
  public static Bundle write(Path dir, Spec spec) {
    try {
      Files.createDirectories(dir);
      Bundle bundle = new Bundle(dir);
      writeAtomically(bundle.configFile(), SpecJson.toBytes(spec));
      return bundle;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the OCI bundle in " + dir, e);
    }
  }

  static void writeAtomically(Path target, byte[] content) throws IOException {
    Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
