package dev.berth.engine.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: a minimal rootfs from the host's busybox-static ({@code bin/busybox} plus its
 * applet links), tini-static as {@code /sbin/tini} when present, and minimal passwd/group files.
 */
public final class BusyboxRootfs {
  public static final Path BUSYBOX = Path.of("/bin/busybox");
  public static final Path TINI = Path.of("/usr/bin/tini-static");

  private BusyboxRootfs() {}

  public static Path create(Path dir) throws IOException, InterruptedException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.copy(BUSYBOX, bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
    for (String applet : applets()) {
      // "busybox" is itself in the list: linking it would replace the binary.
      if (!applet.equals("busybox") && !Files.exists(bin.resolve(applet), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
      }
    }
    Path etc = Files.createDirectories(dir.resolve("etc"));
    Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
    Files.writeString(etc.resolve("group"), "root:x:0:\nnogroup:x:65534:\n");
    Files.createDirectories(dir.resolve("mnt"));
    Files.createDirectories(dir.resolve("tmp"));
    Files.createDirectories(dir.resolve("root"));
    if (Files.isExecutable(TINI)) {
      Path sbin = Files.createDirectories(dir.resolve("sbin"));
      Files.copy(TINI, sbin.resolve("tini"), StandardCopyOption.COPY_ATTRIBUTES);
    }
    return dir;
  }

  private static String[] applets() throws IOException, InterruptedException {
    java.lang.Process p = new ProcessBuilder(BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("busybox --list failed: " + out);
    }
    return out.strip().split("\\s+");
  }
}
