package dev.berth.engine.image.layer;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.nio.ByteBuffer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayerUnpackerTest {
  private static final String TAR = "application/vnd.oci.image.layer.v1.tar";
  private static final String GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  private static final String ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
  private static final String DOCKER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

  @TempDir Path tmp;
  private final LayerUnpacker unpacker = new LayerUnpacker();

  private static byte[] sampleTar() {
    return new TarBuilder()
        .dir("etc", 0755)
        .file("etc/hostname", "berth\n")
        .dir("usr/bin", 0755)
        .file("usr/bin/tool", "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8), 0755)
        .symlink("bin", "usr/bin")
        .symlink("etc/abs", "/etc/passwd")
        .tar();
  }

  private UnpackResult unpack(byte[] blob, String mediaType, Path target) throws IOException {
    return unpacker.unpack(new ByteArrayInputStream(blob), mediaType, target);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tar", "gzip", "zstd", "docker-gzip"})
  void roundTripsEachCompressionWithTheDiffIdOfTheTar(String kind) throws IOException {
    byte[] tar = sampleTar();
    byte[] blob = switch (kind) {
      case "tar" -> tar;
      case "gzip", "docker-gzip" -> TarBuilder.gzip(tar);
      default -> TarBuilder.zstd(tar);
    };
    String mediaType = switch (kind) {
      case "tar" -> TAR;
      case "gzip" -> GZIP;
      case "docker-gzip" -> DOCKER_GZIP;
      default -> ZSTD;
    };
    Path target = tmp.resolve("layer");

    UnpackResult result = unpack(blob, mediaType, target);

    assertThat(result.diffId()).isEqualTo(TarBuilder.sha256(tar));
    assertThat(result.uncompressedSize()).isEqualTo(tar.length);
    assertThat(result.entries()).isEqualTo(6);
    assertThat(target.resolve("etc/hostname")).hasContent("berth");
    assertThat(target.resolve("usr/bin/tool")).hasContent("#!/bin/sh\necho hi");
    assertThat(Files.readSymbolicLink(target.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
    // A symlink's target is data: kept verbatim, never resolved against the host.
    assertThat(Files.readSymbolicLink(target.resolve("etc/abs"))).isEqualTo(Path.of("/etc/passwd"));
    assertThat(siblings(target)).containsExactly("layer");
  }

  @Test
  void diffIdEqualsSha256sumOfTheUncompressedTar() throws Exception {
    byte[] tar = sampleTar();
    Path tarFile = tmp.resolve("layer.tar");
    Files.write(tarFile, tar);
    Process p = new ProcessBuilder("sha256sum", tarFile.toString()).redirectErrorStream(true).start();
    String sha256sum = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).split(" ")[0];
    assertThat(p.waitFor()).isZero();

    Path gz = tmp.resolve("layer.tar.gz");
    Files.write(gz, TarBuilder.gzip(tar));
    UnpackResult result = unpacker.unpack(gz, GZIP, tmp.resolve("layer"), "sha256:" + sha256sum);

    assertThat(result.diffId()).isEqualTo("sha256:" + sha256sum);
  }

  @Test
  void sniffsCompressionWhenTheMediaTypeIsWrongOrMissing() throws IOException {
    byte[] tar = sampleTar();
    assertThat(unpack(TarBuilder.gzip(tar), TAR, tmp.resolve("a")).diffId()).isEqualTo(TarBuilder.sha256(tar));
    assertThat(unpack(TarBuilder.zstd(tar), GZIP, tmp.resolve("b")).diffId()).isEqualTo(TarBuilder.sha256(tar));
    assertThat(unpack(tar, ZSTD, tmp.resolve("c")).diffId()).isEqualTo(TarBuilder.sha256(tar));
    assertThat(unpack(tar, null, tmp.resolve("d")).diffId()).isEqualTo(TarBuilder.sha256(tar));
  }

  @Test
  void keepsSymlinkTargetsByteForByte() throws IOException {
    byte[] tar = new TarBuilder().symlink("a", "usr/lib/").symlink("b", "..//x/./y").tar();
    Path t = tmp.resolve("l");
    unpack(tar, TAR, t);
    assertThat(Files.readSymbolicLink(t.resolve("a")).toString()).isEqualTo("usr/lib/");
    assertThat(Files.readSymbolicLink(t.resolve("b")).toString()).isEqualTo("..//x/./y");
  }

  @Test
  void withoutRootSkipsDeviceNodesAndOwnershipButKeepsTheRest() throws IOException {
    TarArchiveEntry owned = new TarArchiveEntry("owned", true);
    owned.setIds(4242, 4343);
    owned.setSize(1);
    byte[] tar = new TarBuilder()
        .device("dev/null", TarConstants.LF_CHR, 1, 3)
        .device("dev/sda", TarConstants.LF_BLK, 8, 0)
        .add(owned, new byte[] {'x'})
        .fifo("dev/pipe", 0600)
        .file("dev/.wh.old", "")
        .tar();
    Path t = tmp.resolve("l");
    UnpackResult r = new LayerUnpacker(1L << 30, false).unpack(new ByteArrayInputStream(tar), TAR, t);
    assertThat(r.entries()).isEqualTo(5);
    assertThat(t.resolve("dev/null")).doesNotExist();
    assertThat(t.resolve("dev/sda")).doesNotExist();
    assertThat(Files.getAttribute(t.resolve("owned"), "unix:uid")).isNotEqualTo(4242);
    assertThat(mode(t.resolve("dev/pipe"))).isEqualTo(010600);
    assertThat(mode(t.resolve("dev/old")) & 0170000).as("whiteouts need no root on Linux >= 5.8").isEqualTo(0020000);
  }

  @Test
  void refusesANameNoFileSystemCanHold() {
    byte[] tar = new TarBuilder().file("n".repeat(300), "x").tar();
    assertThatThrownBy(() -> unpack(tar, "application/vnd.oci.image.layer.v1.tar", tmp.resolve("l")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("has a path component longer than 255 bytes");
    assertThat(tmp.resolve("l")).doesNotExist();
  }

  @Test
  void refusesAMediaTypeThatIsNotALayer() {
    assertThatThrownBy(() -> unpack(sampleTar(), "application/vnd.oci.image.config.v1+json", tmp.resolve("l")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("application/vnd.oci.image.config.v1+json is not a layer");
    assertThat(tmp.resolve("l")).doesNotExist();
  }

  @Test
  void refusesATargetThatExists() throws IOException {
    Files.createDirectory(tmp.resolve("l"));
    assertThatThrownBy(() -> unpack(sampleTar(), TAR, tmp.resolve("l")))
        .isInstanceOf(BerthException.Conflict.class).hasMessageContaining("already exists");
  }

  @Test
  void acceptsTheRightExpectedDiffId() throws IOException {
    byte[] tar = sampleTar();
    UnpackResult r = unpacker.unpack(new ByteArrayInputStream(tar), TAR, tmp.resolve("l"), TarBuilder.sha256(tar));
    assertThat(r.diffId()).isEqualTo(TarBuilder.sha256(tar));
  }

  @Test
  void unpacksAnEmptyLayer() throws IOException {
    byte[] empty = new byte[1024]; // two zero blocks: Docker's empty layer
    UnpackResult r = unpack(empty, TAR, tmp.resolve("l"));
    assertThat(r.entries()).isZero();
    assertThat(r.diffId()).isEqualTo(TarBuilder.sha256(empty));
    assertThat(tmp.resolve("l")).isEmptyDirectory();
  }

  @Test
  void hardlinksShareTheInodeOfTheirTarget() throws IOException {
    byte[] tar = new TarBuilder()
        .file("a/original", "same bytes")
        .hardlink("b/link", "a/original")
        .hardlink("/c", "/a/original") // absolute names are relative to the layer
        .tar();
    Path t = tmp.resolve("l");
    unpack(tar, TAR, t);
    Object inode = Files.getAttribute(t.resolve("a/original"), "unix:ino");
    assertThat(Files.getAttribute(t.resolve("b/link"), "unix:ino")).isEqualTo(inode);
    assertThat(Files.getAttribute(t.resolve("c"), "unix:ino")).isEqualTo(inode);
    assertThat(Files.getAttribute(t.resolve("a/original"), "unix:nlink")).isEqualTo(3);
  }

  @Test
  void refusesAHardlinkToAFileNotInThisLayer() {
    byte[] tar = new TarBuilder().hardlink("usr/bin/link", "usr/lib/in-a-lower-layer").tar();
    assertThatThrownBy(() -> unpack(tar, TAR, tmp.resolve("l")))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("'usr/bin/link'")
        .hasMessageContaining("not in this layer");
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void refusesAHardlinkToADirectory() {
    byte[] tar = new TarBuilder().dir("d", 0755).hardlink("x", "d").tar();
    assertThatThrownBy(() -> unpack(tar, TAR, tmp.resolve("l")))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("'x'").hasMessageContaining("directory");
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void keepsModesIncludingSetuidSetgidAndSticky() throws IOException {
    byte[] tar = new TarBuilder()
        .file("bin/su", "x".getBytes(StandardCharsets.UTF_8), 04755)
        .file("bin/wall", "x".getBytes(StandardCharsets.UTF_8), 02711)
        .file("ro", "x".getBytes(StandardCharsets.UTF_8), 0400)
        .dir("tmp", 01777)
        .dir("locked", 0500)
        .file("locked/inside", "written before the dir became read-only")
        .fifo("pipe", 0620)
        .tar();
    Path t = tmp.resolve("l");
    unpack(tar, TAR, t);
    assertThat(mode(t.resolve("bin/su"))).isEqualTo(0104755);
    assertThat(mode(t.resolve("bin/wall"))).isEqualTo(0102711);
    assertThat(mode(t.resolve("ro"))).isEqualTo(0100400);
    assertThat(mode(t.resolve("tmp"))).isEqualTo(041777);
    assertThat(mode(t.resolve("locked"))).isEqualTo(040500);
    assertThat(t.resolve("locked/inside")).hasContent("written before the dir became read-only");
    assertThat(mode(t.resolve("pipe"))).isEqualTo(010620);
    assertThat(mode(t.resolve("bin"))).as("implicit parent").isEqualTo(040755);
    assertThat(mode(t)).as("layer root").isEqualTo(040755);
  }

  @Test
  void keepsMtimesOfFilesSymlinksAndDirsWrittenInto() throws IOException {
    byte[] tar = new TarBuilder()
        .dir("d", 0755)
        .file("d/f", "x")
        .symlink("d/s", "f")
        .dir("d/sub", 0755)
        .file("d/sub/g", "y")
        .tar();
    Path t = tmp.resolve("l");
    unpack(tar, TAR, t);
    FileTime expected = FileTime.from(TarBuilder.MTIME);
    for (String p : new String[] {"d", "d/f", "d/s", "d/sub", "d/sub/g"}) {
      assertThat(Files.getLastModifiedTime(t.resolve(p), NOFOLLOW_LINKS)).as(p).isEqualTo(expected);
    }
  }

  @Test
  void convertsWhiteoutsToOverlayCharDevices() throws IOException {
    byte[] tar = new TarBuilder()
        .dir("etc", 0755)
        .file("etc/.wh.motd", "")
        .file(".wh.gone-at-root", "")
        .file("deep/dir/.wh.x", "")
        .tar();
    Path t = tmp.resolve("l");
    UnpackResult r = unpack(tar, TAR, t);
    for (String p : new String[] {"etc/motd", "gone-at-root", "deep/dir/x"}) {
      assertThat(mode(t.resolve(p)) & 0170000).as(p).isEqualTo(0020000);
      assertThat(Files.getAttribute(t.resolve(p), "unix:rdev", NOFOLLOW_LINKS)).as(p).isEqualTo(0L);
    }
    assertThat(t.resolve("etc/.wh.motd")).doesNotExist();
    assertThat(r.entries()).isEqualTo(4);
  }

  @Test
  void laterEntriesReplaceEarlierOnes() throws IOException {
    byte[] tar = new TarBuilder()
        .file("a", "first")
        .file("a", "second")
        .file("b", "file first")
        .dir("b", 0700)
        .file("b/in", "z")
        .dir("c", 0755)
        .file("c/old", "gone with its dir")
        .symlink("c", "a")
        .dir("d", 0700)
        .file("d/kept", "dir merged")
        .dir("d", 0750)
        .file("e", "x")
        .file(".wh.e", "")
        .tar();
    Path t = tmp.resolve("l");
    unpack(tar, TAR, t);
    assertThat(t.resolve("a")).hasContent("second");
    assertThat(t.resolve("b")).isDirectory();
    assertThat(t.resolve("b/in")).hasContent("z");
    assertThat(Files.isSymbolicLink(t.resolve("c"))).isTrue();
    assertThat(t.resolve("d/kept")).hasContent("dir merged");
    assertThat(mode(t.resolve("d"))).isEqualTo(040750);
    assertThat(mode(t.resolve("e")) & 0170000).isEqualTo(0020000);
  }

  @Test
  void setsUserXattrsFromPaxHeaders() throws IOException {
    TarArchiveEntry e = new TarArchiveEntry("f", true);
    e.setSize(1);
    e.addPaxHeader("SCHILY.xattr.user.berth", "hello");
    byte[] tar = new TarBuilder().add(e, new byte[] {'x'}).tar();
    Path t = tmp.resolve("l");
    unpack(tar, TAR, t);
    UserDefinedFileAttributeView view = Files.getFileAttributeView(t.resolve("f"), UserDefinedFileAttributeView.class);
    ByteBuffer buf = ByteBuffer.allocate(64);
    view.read("berth", buf);
    assertThat(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8)).isEqualTo("hello");
  }

  /**
   * commons-compress decodes PAX values as UTF-8, so a value that is not valid UTF-8 arrives
   * damaged; the unpacker leaves such an xattr off rather than writing wrong bytes.
   */
  @Test
  void skipsXattrValuesThatAreNotValidUtf8() throws IOException {
    byte[] record = "SCHILY.xattr.user.bin=\u0080\u00ff\n"
        .getBytes(StandardCharsets.ISO_8859_1); // raw bytes 0x80 0xff, as a tar with binary xattrs has
    String length = String.valueOf(record.length + 3); // "NN " + record: a two-digit length
    byte[] pax = (length + " ").getBytes(StandardCharsets.US_ASCII);
    byte[] paxRecord = new byte[pax.length + record.length];
    System.arraycopy(pax, 0, paxRecord, 0, pax.length);
    System.arraycopy(record, 0, paxRecord, pax.length, record.length);
    assertThat(paxRecord.length).isEqualTo(Integer.parseInt(length));
    TarArchiveEntry header = new TarArchiveEntry("PaxHeaders/f", TarConstants.LF_PAX_EXTENDED_HEADER_LC, true);
    header.setSize(paxRecord.length);
    byte[] tar = new TarBuilder().add(header, paxRecord).file("f", "data").tar();

    Path t = tmp.resolve("l");
    unpack(tar, TAR, t);

    assertThat(t.resolve("f")).hasContent("data");
    assertThat(dev.berth.engine.sys.LinuxFs.lgetxattr(t.resolve("f"), "user.bin")).isNull();
  }

  @Test
  void ignoresOverlayXattrsCarriedByTheLayer() throws IOException {
    TarArchiveEntry e = new TarArchiveEntry("d/", TarConstants.LF_DIR, true);
    e.addPaxHeader("SCHILY.xattr.trusted.overlay.redirect", "/elsewhere");
    byte[] tar = new TarBuilder().add(e, null).tar();
    Path t = tmp.resolve("l");
    unpack(tar, TAR, t);
    assertThat(dev.berth.engine.sys.LinuxFs.lgetxattr(t.resolve("d"), "trusted.overlay.redirect")).isNull();
  }

  @Test
  void unpacksLongNamesFromPaxAndGnuHeaders() throws IOException {
    String longName = "a/" + "n".repeat(200) + "/" + "f".repeat(120);
    byte[] tar = new TarBuilder().file(longName, "long").tar();
    Path t = tmp.resolve("l");
    unpack(tar, TAR, t);
    assertThat(t.resolve(longName)).hasContent("long");
  }

  static int mode(Path p) throws IOException {
    return (int) Files.getAttribute(p, "unix:mode", NOFOLLOW_LINKS);
  }

  static java.util.List<String> siblings(Path target) throws IOException {
    try (var s = Files.list(target.getParent())) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(target.getFileName().toString())).toList();
    }
  }
}
