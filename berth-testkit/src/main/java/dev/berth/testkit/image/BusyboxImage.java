package dev.berth.testkit.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A small real image built from the host's static busybox (Debian's busybox-static), written as
 * an OCI image layout. Three gzip layers: busybox with its applets and a passwd file; a layer
 * adding /etc/remove-me and /www/index.html; a layer deleting /etc/remove-me with a whiteout.
 * Tests push it to a local registry (skopeo) or load it, then pull and run it.
 */
public final class BusyboxImage {
  public static final Path BUSYBOX = Path.of("/bin/busybox");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where it was written and what it is. */
  public record Layout(Path dir, String tag, String configDigest, String manifestDigest, List<String> diffIds) {
    /** skopeo's name for it: {@code oci:DIR:TAG}. */
    public String skopeoRef() {
      return "oci:" + dir + ":" + tag;
    }

    /** Copies it with skopeo to {@code target} (host:port/repo:tag, plain HTTP); returns {@code target}. */
    public String pushTo(String target, String... skopeoOptions) {
      List<String> cmd = new ArrayList<>(List.of("skopeo", "copy", "--dest-tls-verify=false"));
      cmd.addAll(List.of(skopeoOptions));
      cmd.addAll(List.of(skopeoRef(), "docker://" + target));
      ProcessResult r = Commands.run(cmd, java.time.Duration.ofMinutes(2));
      if (r.exitCode() != 0) {
        throw new IllegalStateException("skopeo could not push " + target + ":\n" + r);
      }
      return target;
    }
  }

  private BusyboxImage() {}

  public static Layout writeOciLayout(Path dir, String tag) {
    return writeOciLayout(dir, tag, 0, 0);
  }

  /**
   * The busybox image plus {@code extraLayers} layers of {@code extraBytes} random (so
   * incompressible) bytes each: a bigger image for benchmarks and crash tests.
   */
  public static Layout writeOciLayout(Path dir, String tag, int extraLayers, long extraBytes) {
    try {
      if (!Files.isExecutable(BUSYBOX)) {
        throw new IllegalStateException("/bin/busybox is missing: apt-get install busybox-static");
      }
      Files.createDirectories(dir.resolve("blobs/sha256"));
      List<byte[]> tars = new ArrayList<>(List.of(baseLayer(), addLayer(), whiteoutLayer()));
      java.util.Random random = new java.util.Random(tag.hashCode());
      for (int i = 0; i < extraLayers; i++) {
        byte[] data = new byte[(int) extraBytes];
        random.nextBytes(data);
        int n = i;
        tars.add(tar(t -> {
          dir(t, "data/");
          file(t, "data/blob-" + n, data, 0644);
        }));
      }
      List<String> diffIds = new ArrayList<>();
      ArrayNode layers = JSON.createArrayNode();
      for (byte[] tar : tars) {
        diffIds.add(sha256(tar));
        byte[] gz = gzip(tar);
        String digest = writeBlob(dir, gz);
        layers.addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip")
            .put("digest", digest).put("size", gz.length);
      }
      ObjectNode config = JSON.createObjectNode();
      config.put("created", "2026-01-01T00:00:00Z");
      config.put("architecture", "amd64");
      config.put("os", "linux");
      ObjectNode run = config.putObject("config");
      run.putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
      run.putArray("Cmd").add("sh");
      run.putObject("Labels").put("org.berth.test", "busybox");
      ObjectNode rootfs = config.putObject("rootfs");
      rootfs.put("type", "layers");
      ArrayNode ids = rootfs.putArray("diff_ids");
      diffIds.forEach(ids::add);
      ArrayNode history = config.putArray("history");
      history.addObject().put("created", "2026-01-01T00:00:00Z").put("created_by", "ADD busybox /bin/");
      history.addObject().put("created", "2026-01-01T00:00:00Z").put("created_by", "ADD files /");
      history.addObject().put("created", "2026-01-01T00:00:00Z").put("created_by", "RUN rm /etc/remove-me");
      for (int i = 0; i < extraLayers; i++) {
        history.addObject().put("created", "2026-01-01T00:00:00Z").put("created_by", "ADD blob-" + i + " /data/");
      }
      history.addObject().put("created", "2026-01-01T00:00:00Z").put("created_by", "CMD [\"sh\"]")
          .put("empty_layer", true);
      byte[] configBytes = JSON.writeValueAsBytes(config);
      String configDigest = writeBlob(dir, configBytes);

      ObjectNode manifest = JSON.createObjectNode();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
      manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
          .put("digest", configDigest).put("size", configBytes.length);
      manifest.set("layers", layers);
      byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
      String manifestDigest = writeBlob(dir, manifestBytes);

      ObjectNode index = JSON.createObjectNode();
      index.put("schemaVersion", 2);
      index.putArray("manifests").addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
          .put("digest", manifestDigest).put("size", manifestBytes.length)
          .putObject("annotations").put("org.opencontainers.image.ref.name", tag);
      Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
      Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
      return new Layout(dir, tag, configDigest, manifestDigest, diffIds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A two-platform image: the busybox image (amd64) and the same layers labelled arm64. */
  public record MultiArch(Layout amd64, String arm64ConfigDigest, String indexDigest) {}

  /**
   * Writes the busybox image, then an arm64 twin (same layers, its own config and manifest),
   * and makes {@code tag} name an image index over both. skopeo copies it with {@code --all}.
   */
  public static MultiArch writeMultiArchLayout(Path dir, String tag) {
    Layout amd64 = writeOciLayout(dir, tag);
    try {
      byte[] amdManifest = Files.readAllBytes(dir.resolve("blobs/sha256").resolve(amd64.manifestDigest().substring(7)));
      ObjectNode manifest = (ObjectNode) JSON.readTree(amdManifest);
      byte[] amdConfig = Files.readAllBytes(dir.resolve("blobs/sha256").resolve(amd64.configDigest().substring(7)));
      ObjectNode config = (ObjectNode) JSON.readTree(amdConfig);
      config.put("architecture", "arm64");
      config.put("variant", "v8");
      byte[] armConfig = JSON.writeValueAsBytes(config);
      String armConfigDigest = writeBlob(dir, armConfig);
      ((ObjectNode) manifest.get("config")).put("digest", armConfigDigest).put("size", armConfig.length);
      byte[] armManifest = JSON.writeValueAsBytes(manifest);
      String armManifestDigest = writeBlob(dir, armManifest);

      ObjectNode index = JSON.createObjectNode();
      index.put("schemaVersion", 2);
      index.put("mediaType", "application/vnd.oci.image.index.v1+json");
      ArrayNode manifests = index.putArray("manifests");
      ObjectNode a = manifests.addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
          .put("digest", amd64.manifestDigest()).put("size", amdManifest.length);
      a.putObject("platform").put("architecture", "amd64").put("os", "linux");
      ObjectNode b = manifests.addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
          .put("digest", armManifestDigest).put("size", armManifest.length);
      b.putObject("platform").put("architecture", "arm64").put("os", "linux").put("variant", "v8");
      byte[] indexBytes = JSON.writeValueAsBytes(index);
      String indexDigest = writeBlob(dir, indexBytes);

      ObjectNode top = JSON.createObjectNode();
      top.put("schemaVersion", 2);
      top.putArray("manifests").addObject().put("mediaType", "application/vnd.oci.image.index.v1+json")
          .put("digest", indexDigest).put("size", indexBytes.length)
          .putObject("annotations").put("org.opencontainers.image.ref.name", tag);
      Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(top));
      return new MultiArch(amd64, armConfigDigest, indexDigest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] baseLayer() throws IOException {
    return tar(t -> {
      dir(t, "bin/");
      dir(t, "etc/");
      dir(t, "tmp/", 01777);
      dir(t, "root/", 0700);
      dir(t, "proc/");
      dir(t, "sys/");
      dir(t, "dev/");
      file(t, "bin/busybox", Files.readAllBytes(BUSYBOX), 0755);
      for (String applet : applets()) {
        if (applet.equals("busybox")) {
          continue; // a link named busybox would replace the binary itself
        }
        TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
        link.setLinkName("busybox");
        link.setModTime(0);
        t.putArchiveEntry(link);
        t.closeArchiveEntry();
      }
      file(t, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
          .getBytes(StandardCharsets.UTF_8), 0644);
      file(t, "etc/group", "root:x:0:\nnogroup:x:65534:\n".getBytes(StandardCharsets.UTF_8), 0644);
    });
  }

  private static byte[] addLayer() throws IOException {
    return tar(t -> {
      dir(t, "etc/");
      file(t, "etc/remove-me", "this file is deleted by the next layer\n".getBytes(StandardCharsets.UTF_8), 0644);
      dir(t, "www/");
      file(t, "www/index.html", "hello from berth\n".getBytes(StandardCharsets.UTF_8), 0644);
    });
  }

  private static byte[] whiteoutLayer() throws IOException {
    return tar(t -> {
      dir(t, "etc/");
      file(t, "etc/.wh.remove-me", new byte[0], 0644);
      file(t, "etc/layer3", "third layer\n".getBytes(StandardCharsets.UTF_8), 0644);
    });
  }

  private static List<String> applets() throws IOException {
    Process p = new ProcessBuilder(BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  @FunctionalInterface
  private interface TarBody {
    void write(TarArchiveOutputStream tar) throws IOException;
  }

  private static byte[] tar(TarBody body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      body.write(t);
    }
    return bytes.toByteArray();
  }

  private static void dir(TarArchiveOutputStream t, String name) throws IOException {
    dir(t, name, 0755);
  }

  private static void dir(TarArchiveOutputStream t, String name, int mode) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~0777 | mode);
    e.setModTime(0);
    t.putArchiveEntry(e);
    t.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream t, String name, byte[] content, int mode) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(content.length);
    e.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~0777 | mode);
    e.setModTime(0);
    t.putArchiveEntry(e);
    t.write(content);
    t.closeArchiveEntry();
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  private static String writeBlob(Path layout, byte[] data) throws IOException {
    String digest = sha256(data);
    Files.write(layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())), data);
    return digest;
  }

  static String sha256(byte[] data) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
