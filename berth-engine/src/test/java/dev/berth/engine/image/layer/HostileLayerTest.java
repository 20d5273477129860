package dev.berth.engine.image.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers built to escape or break the unpacker. Each must be refused with a message naming the
 * entry, leave the world outside the target exactly as it was, and leave no partial layer.
 */
class HostileLayerTest {
  private static final String TAR = "application/vnd.oci.image.layer.v1.tar";
  private static final String GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

  @TempDir Path base;
  private Path outside;
  private Path sentinel;
  private Path layers;
  private Path target;
  private TreeMap<String, String> before;

  @BeforeEach
  void setUp() throws IOException {
    // base/outside/sentinel is what an escape would overwrite; the target sits two levels
    // down, so "../../outside/sentinel" from the target's root reaches it.
    outside = Files.createDirectories(base.resolve("outside"));
    sentinel = Files.writeString(outside.resolve("sentinel"), "original");
    layers = Files.createDirectories(base.resolve("store/layers"));
    target = layers.resolve("l1");
    before = snapshot(base);
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(byte[] blob, String mediaType) {
    return assertRefused(new LayerUnpacker(), blob, mediaType, null);
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
      LayerUnpacker unpacker, byte[] blob, String mediaType, String expectedDiffId) {
    var thrown = assertThatThrownBy(
        () -> unpacker.unpack(new ByteArrayInputStream(blob), mediaType, target, expectedDiffId))
        .isInstanceOf(BerthException.InvalidArgument.class);
    assertUntouched();
    return thrown;
  }

  private void assertUntouched() {
    try {
      assertThat(sentinel).hasContent("original");
      assertThat(layers).as("no partial layer and no temp dir remain").isEmptyDirectory();
      assertThat(snapshot(base)).as("nothing outside the target changed").isEqualTo(before);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void dotDotTraversal() {
    byte[] tar = new TarBuilder().file("ok", "fine").file("../../outside/sentinel", "pwned").tar();
    assertRefused(tar, TAR).hasMessageContaining("'../../outside/sentinel'").hasMessageContaining("'..'");
  }

  @Test
  void dotDotInsideAPath() {
    byte[] tar = new TarBuilder().file("a/b/../../../../outside/new", "pwned").tar();
    assertRefused(tar, TAR).hasMessageContaining("'a/b/../../../../outside/new'").hasMessageContaining("'..'");
    assertThat(outside.resolve("new")).doesNotExist();
  }

  @Test
  void absolutePathIsContainedInTheTarget() throws IOException {
    String hostPath = "/etc/berth-test-" + UUID.randomUUID();
    byte[] tar = new TarBuilder().file(hostPath, "contained").tar();
    try {
      new LayerUnpacker().unpack(new ByteArrayInputStream(tar), TAR, target);
      assertThat(Path.of(hostPath)).doesNotExist();
    } finally {
      Files.deleteIfExists(Path.of(hostPath));
    }
    assertThat(target.resolve(hostPath.substring(1))).hasContent("contained");
    assertThat(sentinel).hasContent("original");
  }

  @Test
  void symlinkToRootThenWriteThroughIt() throws IOException {
    String victim = "etc/berth-test-" + UUID.randomUUID();
    byte[] tar = new TarBuilder().symlink("link", "/").file("link/" + victim, "pwned").tar();
    try {
      assertRefused(tar, TAR).hasMessageContaining("'link/" + victim + "'").hasMessageContaining("symlink");
      assertThat(Path.of("/" + victim)).doesNotExist();
    } finally {
      Files.deleteIfExists(Path.of("/" + victim)); // should a regression escape, leave no litter
    }
  }

  @Test
  void symlinkOutThenOverwriteTheSentinel() {
    byte[] tar = new TarBuilder().symlink("link", outside.toString()).file("link/sentinel", "pwned").tar();
    assertRefused(tar, TAR).hasMessageContaining("'link/sentinel'").hasMessageContaining("parent 'link' is a symlink");
  }

  @Test
  void relativeSymlinkOutThenWriteThroughIt() {
    byte[] tar = new TarBuilder().symlink("up", "../../outside").file("up/sentinel", "pwned").tar();
    assertRefused(tar, TAR).hasMessageContaining("'up/sentinel'").hasMessageContaining("symlink");
  }

  @Test
  void symlinkedParentDirectoryThenDirAndFileBelowIt() {
    byte[] tar = new TarBuilder().symlink("dir", outside.toString()).dir("dir/sub", 0755).tar();
    assertRefused(tar, TAR).hasMessageContaining("'dir/sub/'").hasMessageContaining("symlink");
  }

  @Test
  void parentDirectoryReplacedBySymlinkInTheSameLayer() {
    byte[] tar = new TarBuilder()
        .dir("dir", 0755)
        .file("dir/a", "fine")
        .symlink("dir", outside.toString())
        .file("dir/sentinel", "pwned")
        .tar();
    assertRefused(tar, TAR).hasMessageContaining("'dir/sentinel'").hasMessageContaining("symlink");
  }

  @Test
  void hardlinkEscapingWithDotDot() {
    byte[] tar = new TarBuilder().hardlink("hl", "../../outside/sentinel").tar();
    assertRefused(tar, TAR).hasMessageContaining("'hl'").hasMessageContaining("'..'");
  }

  @Test
  void hardlinkEscapingThroughASymlink() {
    // If the link were made, writing "hl" later would write the sentinel's inode.
    byte[] tar = new TarBuilder()
        .symlink("link", outside.toString())
        .hardlink("hl", "link/sentinel")
        .file("hl", "pwned")
        .tar();
    assertRefused(tar, TAR).hasMessageContaining("'hl'").hasMessageContaining("symlink");
  }

  @Test
  void hardlinkToAbsoluteHostFileIsResolvedInsideTheLayer() {
    byte[] tar = new TarBuilder().hardlink("hl", sentinel.toString()).tar();
    assertRefused(tar, TAR).hasMessageContaining("'hl'").hasMessageContaining("not in this layer");
  }

  @Test
  void whiteoutOfDotDot() {
    byte[] tar = new TarBuilder().file("a/.wh...", "").tar();
    assertRefused(tar, TAR).hasMessageContaining("'a/.wh...'").hasMessageContaining("whiteout");
  }

  @Test
  void fileUsedAsParentDirectory() {
    byte[] tar = new TarBuilder().file("f", "x").file("f/child", "y").tar();
    assertRefused(tar, TAR).hasMessageContaining("'f/child'").hasMessageContaining("not a directory");
  }

  @Test
  void gzipBombPastTheConfiguredCap() {
    byte[] tar = new TarBuilder().file("zeros", new byte[8 << 20], 0644).tar();
    byte[] bomb = TarBuilder.gzip(tar);
    assertThat(bomb.length).as("a few KB of gzip").isLessThan(64 * 1024);
    assertRefused(new LayerUnpacker(1 << 20), bomb, GZIP, null)
        .hasMessageContaining("'zeros'").hasMessageContaining("exceeds the limit of 1048576 bytes");
  }

  @Test
  void diffIdMismatch() {
    byte[] tar = new TarBuilder().file("f", "content").tar();
    String wrong = TarBuilder.sha256("something else".getBytes(StandardCharsets.UTF_8));
    assertRefused(new LayerUnpacker(), TarBuilder.gzip(tar), GZIP, wrong)
        .hasMessageContaining(TarBuilder.sha256(tar)).hasMessageContaining(wrong);
  }

  @Test
  void truncatedGzip() {
    byte[] tar = new TarBuilder().file("a", randomText(200_000)).file("b", "after").tar();
    byte[] gz = TarBuilder.gzip(tar);
    assertRefused(Arrays.copyOf(gz, gz.length / 2), GZIP).hasMessageContaining("truncated or corrupt");
  }

  @Test
  void truncatedZstd() {
    byte[] tar = new TarBuilder().file("a", randomText(200_000)).tar();
    byte[] zst = TarBuilder.zstd(tar);
    assertRefused(Arrays.copyOf(zst, zst.length / 2), TAR).hasMessageContaining("truncated or corrupt");
  }

  @Test
  void truncatedTarInsideAnEntry() {
    byte[] tar = new TarBuilder().file("a", randomText(10_000)).tar();
    assertRefused(Arrays.copyOf(tar, 5_000), TAR)
        .hasMessageContaining("truncated or corrupt").hasMessageContaining("'a'");
  }

  @Test
  void garbageThatIsNoTar() {
    byte[] junk = randomText(4096).getBytes(StandardCharsets.UTF_8);
    assertRefused(junk, TAR).hasMessageContaining("truncated or corrupt");
  }

  private static String randomText(int length) {
    java.util.Random random = new java.util.Random(42);
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append((char) ('a' + random.nextInt(26)));
    }
    return sb.toString();
  }

  /** Every path under {@code root} with its type, size, mtime and (for files) content. */
  static TreeMap<String, String> snapshot(Path root) throws IOException {
    TreeMap<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String content = a.isRegularFile() ? Files.readString(p) : "";
        String rel = root.relativize(p).toString();
        // The target's parent gains and loses the temp dir: its mtime moves by design.
        String mtime = rel.equals("store/layers") ? "" : a.lastModifiedTime().toString();
        out.put(rel, (a.isDirectory() ? "d" : a.isSymbolicLink() ? "l" : "f") + " " + a.size() + " "
            + mtime + " " + content);
      }
    }
    return out;
  }
}
