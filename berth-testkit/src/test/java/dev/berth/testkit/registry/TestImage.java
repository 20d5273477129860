package dev.berth.testkit.registry;

import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.Descriptor;
import dev.berth.engine.image.ImageConfig;
import dev.berth.engine.image.ImageJson;
import dev.berth.engine.image.ImageManifest;
import dev.berth.engine.image.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A small image built in the test: a config and two layers (a plain tar and a gzipped tar of a
 * few files), stored in a {@link ContentStore}, with the manifest bytes that name them.
 */
record TestImage(ImageManifest manifest, byte[] manifestBytes, Digest digest) {
  static TestImage build(ContentStore store, String architecture, String greeting) {
    try {
      byte[] base = tar(Map.of("etc/hello", greeting, "etc/os-release", "ID=berth-test\n"));
      byte[] top = tar(Map.of("app/run.sh", "#!/bin/sh\necho " + greeting + "\n"));
      byte[] topGz = gzip(top);
      ImageConfig config = new ImageConfig("2026-01-01T00:00:00Z", null, architecture, "linux",
          null, null, null,
          new ImageConfig.RunConfig(null, null, List.of("PATH=/bin"), null,
              List.of("/app/run.sh"), null, "/", Map.of("test", greeting), null, null, null,
              null, null, null),
          new ImageConfig.RootFs("layers", List.of(Digest.of(base), Digest.of(top))),
          List.of());
      byte[] configBytes = ImageJson.write(config);
      Descriptor configDescriptor = put(store, MediaTypes.OCI_CONFIG, configBytes);
      ImageManifest manifest = new ImageManifest(MediaTypes.OCI_MANIFEST, configDescriptor,
          List.of(put(store, MediaTypes.OCI_LAYER, base), put(store, MediaTypes.OCI_LAYER_GZIP, topGz)));
      byte[] manifestBytes = ImageJson.write(manifest);
      return new TestImage(manifest, manifestBytes, Digest.of(manifestBytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The config and layers, in push order. */
  List<Descriptor> blobs() {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(manifest.config()),
        manifest.layers().stream()).toList();
  }

  private static Descriptor put(ContentStore store, String mediaType, byte[] bytes)
      throws IOException {
    Digest digest = Digest.of(bytes);
    store.write(digest, new ByteArrayInputStream(bytes), bytes.length);
    return new Descriptor(mediaType, digest, bytes.length);
  }

  private static byte[] tar(Map<String, String> files) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (var file : new java.util.TreeMap<>(files).entrySet()) {
        byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
        entry.setSize(content.length);
        entry.setMode(0755);
        entry.setModTime(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }
}
