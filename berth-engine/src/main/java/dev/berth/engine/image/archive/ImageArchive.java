package dev.berth.engine.image.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.BerthException;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.Descriptor;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageIndex;
import dev.berth.engine.image.ImagePusher;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.MediaTypes;
import dev.berth.engine.image.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code save}: images as one tar that both loaders understand — an OCI image layout
 * ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/...}) plus Docker's
 * {@code manifest.json}, as docker 25 writes. Layer blobs go in as stored (compressed);
 * {@code docker load} decompresses them itself.
 */
public final class ImageArchive {
  static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

  /** One entry of Docker's manifest.json. */
  record DockerManifestEntry(
      @JsonProperty("Config") String config,
      @JsonProperty("RepoTags") List<String> repoTags,
      @JsonProperty("Layers") List<String> layers) {}

  private final ImageService images;

  public ImageArchive(ImageService images) {
    this.images = images;
  }

  /** What to save: an image and the tags to name it by in the archive. */
  record Selected(Image image, List<Reference> tags) {}

  /** Resolves every name first, so a typo fails before any byte is written. */
  public void save(List<String> names, OutputStream out) throws IOException {
    if (names.isEmpty()) {
      throw new BerthException.InvalidArgument("name at least one image to save");
    }
    Map<Digest, Selected> selected = new LinkedHashMap<>();
    for (String name : names) {
      Image image = images.find(name);
      List<Reference> tags = new ArrayList<>();
      if (!isId(name, image)) {
        Reference ref = Reference.parse(name);
        if (ref.digest() == null) {
          tags.add(ref);
        }
      }
      Selected prior = selected.get(image.id());
      if (prior != null) {
        tags.addAll(0, prior.tags());
      }
      selected.put(image.id(), new Selected(image, tags));
    }
    selected.values().forEach(s -> images.events().image("save", s.image().id().toString(),
        s.tags().isEmpty() ? s.image().id().toString() : s.tags().getFirst().familiar()));
    ImagePusher pusher = new ImagePusher(images);
    Set<Digest> written = new LinkedHashSet<>();
    List<Descriptor> indexEntries = new ArrayList<>();
    List<DockerManifestEntry> dockerManifest = new ArrayList<>();
    TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    writeFile(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes());
    for (Selected s : selected.values()) {
      Image image = s.image();
      List<String> layerPaths = new ArrayList<>();
      for (Image.ImageLayer layer : image.layers()) {
        writeBlob(tar, layer.blob().digest(), written);
        layerPaths.add(blobPath(layer.blob().digest()));
      }
      writeBlob(tar, image.id(), written);
      ImagePusher.ManifestBytes manifest = pusher.manifestFor(image);
      Digest manifestDigest = Digest.of(manifest.bytes());
      if (written.add(manifestDigest)) {
        writeFile(tar, blobPath(manifestDigest), manifest.bytes());
      }
      if (s.tags().isEmpty()) {
        indexEntries.add(new Descriptor(manifest.mediaType(), manifestDigest, manifest.bytes().length));
      }
      for (Reference tag : s.tags()) {
        indexEntries.add(new Descriptor(manifest.mediaType(), manifestDigest, manifest.bytes().length, null,
            Map.of("io.containerd.image.name", tag.toString(), "org.opencontainers.image.ref.name", tag.tag()),
            null, null));
      }
      dockerManifest.add(new DockerManifestEntry(blobPath(image.id()),
          s.tags().stream().map(Reference::familiar).toList(), layerPaths));
    }
    writeFile(tar, "index.json", JSON.writeValueAsBytes(new ImageIndex(MediaTypes.OCI_INDEX, indexEntries)));
    writeFile(tar, "manifest.json", JSON.writeValueAsBytes(dockerManifest));
    tar.finish();
    tar.flush();
  }

  private static boolean isId(String name, Image image) {
    String hex = name.startsWith("sha256:") ? name.substring(7) : name;
    return image.id().hex().startsWith(hex) && hex.matches("[a-f0-9]+")
        && image.repoTags().stream().noneMatch(t -> t.familiar().equals(name));
  }

  static String blobPath(Digest digest) {
    return "blobs/sha256/" + digest.hex();
  }

  private void writeBlob(TarArchiveOutputStream tar, Digest digest, Set<Digest> written) throws IOException {
    if (!written.add(digest)) {
      return;
    }
    TarArchiveEntry entry = new TarArchiveEntry(blobPath(digest));
    entry.setSize(images.content().size(digest));
    entry.setMode(0644);
    tar.putArchiveEntry(entry);
    try (InputStream in = images.content().open(digest)) {
      in.transferTo(tar);
    }
    tar.closeArchiveEntry();
  }

  private static void writeFile(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(bytes.length);
    entry.setMode(0644);
    tar.putArchiveEntry(entry);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }
}
