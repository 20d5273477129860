package dev.berth.engine.image;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.registry.RegistryClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes an image: each layer blob unless the repository has it (mounted from another
 * repository of the same registry when the image came from there), the config, then the
 * manifest. The manifest the image was pulled with is pushed byte for byte, so its digest stays
 * the same; an image without one (imported, loaded) gets a new OCI manifest.
 */
public final class ImagePusher {
  private static final Logger log = LoggerFactory.getLogger(ImagePusher.class);

  private final ImageService images;

  public ImagePusher(ImageService images) {
    this.images = images;
  }

  public record Result(Digest digest, int size) {}

  public Result push(RegistryClient client, Reference ref, Consumer<PullEvent> events) {
    if (ref.digest() != null) {
      throw new BerthException.InvalidArgument("cannot push a digest reference (" + ref.familiar() + "); push a tag");
    }
    Image image = images.find(ref.toString());
    events.accept(new PullEvent.Status(null, "The push refers to repository [" + ref.familiarName() + "]"));
    String mountFrom = image.repoDigests().stream()
        .filter(d -> d.domain().equals(ref.domain()) && !d.repository().equals(ref.repository()))
        .map(Reference::repository).findFirst().orElse(null);
    List<Image.ImageLayer> layers = new ArrayList<>(image.layers());
    java.util.Collections.reverse(layers); // docker lists the top layer first
    for (Image.ImageLayer layer : layers) {
      events.accept(new PullEvent.Layer(layer.blob().digest().shortHex(), "Preparing", 0, 0));
    }
    for (Image.ImageLayer layer : layers) {
      String id = layer.blob().digest().shortHex();
      RegistryClient.PushOutcome outcome = client.pushBlob(ref, layer.blob(), images.content(), mountFrom);
      events.accept(new PullEvent.Layer(id, switch (outcome) {
        case ALREADY_EXISTS -> "Layer already exists";
        case MOUNTED -> "Mounted from " + mountFrom;
        case UPLOADED -> "Pushed";
      }, layer.blob().size(), layer.blob().size()));
    }
    ManifestBytes manifest = manifestFor(image);
    Descriptor config = new Descriptor(manifest.configMediaType(), image.id(), image.configBytes().length);
    client.pushBlob(ref, config, images.content(), null);
    Digest digest = client.pushManifest(ref, manifest.mediaType(), manifest.bytes());
    images.addRepoDigest(ref.withDigest(digest), image.id());
    log.info("pushed image {} as {}@{}", image.shortId(), ref.familiar(), digest);
    images.events().image("push", ref.familiar(), ref.familiarName());
    events.accept(new PullEvent.Status(null, ref.tag() + ": digest: " + digest + " size: " + manifest.bytes().length));
    return new Result(digest, manifest.bytes().length);
  }

  /** A manifest's exact bytes and the media types they use. */
  public record ManifestBytes(String mediaType, String configMediaType, byte[] bytes) {}

  /** The stored manifest when it still describes the image, else a new OCI manifest. */
  public ManifestBytes manifestFor(Image image) {
    if (image.manifestDigest() != null && images.content().exists(image.manifestDigest())) {
      try {
        byte[] bytes = images.content().readAll(image.manifestDigest());
        ImageManifest m = ImageJson.read(bytes, ImageManifest.class, "manifest " + image.manifestDigest());
        return new ManifestBytes(image.manifestMediaType(), m.config().mediaType(), bytes);
      } catch (IOException e) {
        throw new UncheckedIOException("reading the manifest of image " + image.shortId() + ": " + e.getMessage(), e);
      }
    }
    return newManifest(image);
  }

  static ManifestBytes newManifest(Image image) {
    Descriptor config = new Descriptor(MediaTypes.OCI_CONFIG, image.id(), image.configBytes().length);
    List<Descriptor> layers = image.layers().stream().map(Image.ImageLayer::blob).toList();
    ImageManifest manifest = new ImageManifest(MediaTypes.OCI_MANIFEST, config, layers);
    return new ManifestBytes(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, ImageJson.write(manifest));
  }
}
