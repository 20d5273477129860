package dev.berth.engine.image.layer;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.sys.LinuxFs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only root can do: ownership, device nodes, trusted.* xattrs, and a real overlay mount. */
@Tag("integration")
class LayerUnpackerIT {
  private static final String TAR = "application/vnd.oci.image.layer.v1.tar";

  @TempDir Path tmp;
  private final LayerUnpacker unpacker = new LayerUnpacker();

  @BeforeAll
  static void requireRoot() {
    assertThat(LinuxFs.geteuid()).as("integration tests run as root").isZero();
  }

  private static TarArchiveEntry owned(String name, byte type, int uid, int gid) {
    TarArchiveEntry e = new TarArchiveEntry(name, type, true);
    e.setIds(uid, gid);
    return e;
  }

  private Path unpack(byte[] tar, String name) throws IOException {
    Path target = tmp.resolve(name);
    unpacker.unpack(new ByteArrayInputStream(tar), TAR, target);
    return target;
  }

  @Test
  void appliesOwnershipWithoutFollowingSymlinksAndKeepsSetuid() throws IOException {
    TarArchiveEntry dir = owned("home/user/", TarConstants.LF_DIR, 1000, 1000);
    dir.setMode(0750);
    TarArchiveEntry file = owned("usr/bin/priv", TarConstants.LF_NORMAL, 1234, 5678);
    file.setMode(04755);
    file.setSize(1);
    TarArchiveEntry link = owned("home/user/link", TarConstants.LF_SYMLINK, 4321, 8765);
    link.setLinkName("/usr/bin/priv");
    byte[] tar = new TarBuilder().add(dir, null).add(file, new byte[] {'x'}).add(link, null).tar();

    Path t = unpack(tar, "l");

    assertThat(ids(t.resolve("home/user"))).containsExactly(1000, 1000);
    assertThat(ids(t.resolve("usr/bin/priv"))).containsExactly(1234, 5678);
    assertThat(ids(t.resolve("home/user/link"))).containsExactly(4321, 8765);
    assertThat(LayerUnpackerTest.mode(t.resolve("usr/bin/priv"))).as("setuid survives chown").isEqualTo(0104755);
    assertThat(LayerUnpackerTest.mode(t.resolve("home/user"))).isEqualTo(040750);
  }

  @Test
  void createsCharAndBlockDevices() throws IOException {
    byte[] tar = new TarBuilder()
        .device("dev/null", TarConstants.LF_CHR, 1, 3)
        .device("dev/loop0", TarConstants.LF_BLK, 7, 0)
        .device("dev/big", TarConstants.LF_CHR, 300, 70000)
        .tar();
    Path t = unpack(tar, "l");
    assertThat(LayerUnpackerTest.mode(t.resolve("dev/null"))).isEqualTo(020660);
    assertThat(Files.getAttribute(t.resolve("dev/null"), "unix:rdev", NOFOLLOW_LINKS)).isEqualTo(LinuxFs.makedev(1, 3));
    assertThat(LayerUnpackerTest.mode(t.resolve("dev/loop0"))).isEqualTo(060660);
    assertThat(Files.getAttribute(t.resolve("dev/loop0"), "unix:rdev", NOFOLLOW_LINKS)).isEqualTo(LinuxFs.makedev(7, 0));
    assertThat(Files.getAttribute(t.resolve("dev/big"), "unix:rdev", NOFOLLOW_LINKS)).isEqualTo(LinuxFs.makedev(300, 70000));
  }

  @Test
  void marksOpaqueDirsAndSetsTrustedXattrs() throws IOException {
    TarArchiveEntry withXattr = new TarArchiveEntry("f", true);
    withXattr.setSize(0);
    withXattr.addPaxHeader("SCHILY.xattr.trusted.berth", "v1");
    byte[] tar = new TarBuilder()
        .dir("etc", 0755)
        .file("etc/.wh..wh..opq", "")
        .file("implicit/.wh..wh..opq", "")
        .add(withXattr, new byte[0])
        .tar();
    Path t = unpack(tar, "l");
    assertThat(LinuxFs.lgetxattr(t.resolve("etc"), "trusted.overlay.opaque")).isEqualTo("y".getBytes(StandardCharsets.US_ASCII));
    assertThat(LinuxFs.lgetxattr(t.resolve("implicit"), "trusted.overlay.opaque")).isEqualTo("y".getBytes(StandardCharsets.US_ASCII));
    assertThat(t.resolve("etc/.wh..wh..opq")).doesNotExist();
    assertThat(LinuxFs.lgetxattr(t.resolve("f"), "trusted.berth")).isEqualTo("v1".getBytes(StandardCharsets.US_ASCII));
  }

  /** A file capability (cap_net_raw+ep, as on ping): binary, but valid UTF-8, so it survives. */
  @Test
  void keepsFileCapabilities() throws IOException {
    byte[] cap = new byte[20];
    cap[0] = 0x01; // VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, little-endian
    cap[3] = 0x02;
    cap[5] = 0x20; // permitted: bit 13, CAP_NET_RAW
    TarArchiveEntry ping = new TarArchiveEntry("bin/ping", true);
    ping.setSize(1);
    ping.setMode(0755);
    ping.addPaxHeader("SCHILY.xattr.security.capability", new String(cap, StandardCharsets.UTF_8));
    Path t = unpack(new TarBuilder().add(ping, new byte[] {'x'}).tar(), "l");
    assertThat(LinuxFs.lgetxattr(t.resolve("bin/ping"), "security.capability")).isEqualTo(cap);
  }

  /** The unpacked dirs are what overlayfs needs: whiteouts hide, opaque dirs shadow. */
  @Test
  void unpackedLayersWorkAsOverlayLowerDirs() throws Exception {
    Path base = unpack(new TarBuilder()
        .file("etc/keep", "kept")
        .file("etc/deleted", "should be hidden")
        .file("opt/old/a", "should be hidden by opaque")
        .tar(), "base");
    Path top = unpack(new TarBuilder()
        .file("etc/.wh.deleted", "")
        .file("opt/old/.wh..wh..opq", "")
        .file("opt/old/b", "new")
        .tar(), "top");
    Path merged = Files.createDirectory(tmp.resolve("merged"));
    run("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + top + ":" + base, merged.toString());
    try {
      assertThat(merged.resolve("etc/keep")).hasContent("kept");
      assertThat(merged.resolve("etc/deleted")).doesNotExist();
      try (var list = Files.list(merged.resolve("opt/old"))) {
        assertThat(list.map(p -> p.getFileName().toString())).containsExactly("b");
      }
    } finally {
      run("umount", merged.toString());
    }
  }

  private static List<Integer> ids(Path p) throws IOException {
    return List.of((Integer) Files.getAttribute(p, "unix:uid", NOFOLLOW_LINKS),
        (Integer) Files.getAttribute(p, "unix:gid", NOFOLLOW_LINKS));
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", String.join(" ", command)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
  }
}
