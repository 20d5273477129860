package dev.berth.engine.image.registry;

import static dev.berth.engine.image.registry.RegistryClient.MAX_MANIFEST_BYTES;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.BerthException;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.Descriptor;
import dev.berth.engine.image.ImageIndex;
import dev.berth.engine.image.ImageJson;
import dev.berth.engine.image.ImageManifest;
import dev.berth.engine.image.MediaTypes;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.registry.RegistryTransport.Reply;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Manifests fetched for a pull: by tag or digest from the first mirror that has them, else the
 * registry; capped in size, verified against the digest asked for and the one the registry
 * claims, parsed by media type (or shape), and an index resolved to one platform's manifest.
 */
final class RegistryManifests {
  private final RegistryTransport transport;
  private final PullEndpoints endpoints;

  RegistryManifests(RegistryTransport transport, PullEndpoints endpoints) {
    this.transport = transport;
    this.endpoints = endpoints;
  }

  FetchedManifest fetch(Reference ref) {
    return endpoints.first(ref.name(), transport.pullTargets(ref), "manifest " + ref.familiar(),
        target -> fetch(target, ref));
  }

  private FetchedManifest fetch(Endpoint target, Reference ref) {
    URI uri = target.uri("manifests/" + ref.manifestRef());
    try (Reply response =
        transport.exchange(target, RegistryTransport.pullScope(ref), () -> transport.request(uri).GET()
            .header("Accept", String.join(", ", MediaTypes.MANIFESTS)))) {
      if (response.status() != 200) {
        throw transport.failure(response, target, "manifest " + ref.familiar());
      }
      byte[] bytes = RegistryTransport.readCapped(response.body(), MAX_MANIFEST_BYTES, "manifest " + ref.familiar());
      Digest digest = Digest.of(bytes);
      if (ref.digest() != null && !ref.digest().equals(digest)) {
        throw RegistryTransport.mismatch("manifest " + ref.familiar(), ref.digest(), digest);
      }
      Optional<String> claimed = response.headers().firstValue("Docker-Content-Digest");
      if (claimed.isPresent() && claimed.get().startsWith("sha256:")
          && !claimed.get().equals(digest.toString())) {
        throw RegistryTransport.mismatch("manifest " + ref.familiar(), Digest.parse(claimed.get()), digest);
      }
      return parse(ref, digest, bytes, response.headers().firstValue("Content-Type"));
    } catch (IOException e) {
      throw RegistryTransport.unreachable(target, "reading manifest " + ref.familiar(), e);
    }
  }

  /** An index followed to the entry for {@code platform}; see {@link RegistryClient#resolve}. */
  FetchedManifest.Resolved resolve(Reference ref, Platform platform) {
    FetchedManifest top = fetch(ref);
    return switch (top) {
      case FetchedManifest.Image image -> new FetchedManifest.Resolved(top, image);
      case FetchedManifest.Index index -> {
        Descriptor chosen = index.index().select(platform, ref.familiar());
        FetchedManifest child = fetch(ref.withDigest(chosen.digest()));
        if (!(child instanceof FetchedManifest.Image image)) {
          throw new BerthException.InvalidArgument(
              "the index of " + ref.familiar() + " points to another index for " + platform
                  + "; nested indexes are not supported");
        }
        yield new FetchedManifest.Resolved(top, image);
      }
    };
  }

  private static FetchedManifest parse(
      Reference ref, Digest digest, byte[] bytes, Optional<String> contentType) {
    String what = "manifest of " + ref.familiar();
    JsonNode json = ImageJson.read(bytes, JsonNode.class, what);
    String mediaType = contentType.map(t -> t.split(";")[0].strip().toLowerCase(Locale.ROOT))
        .filter(t -> MediaTypes.isIndex(t) || MediaTypes.isManifest(t))
        .orElseGet(() -> json.path("mediaType").asText(""));
    if (mediaType.isEmpty()) {
      // OCI allows omitting mediaType; the shape tells the kind.
      mediaType = json.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
    }
    if (MediaTypes.isIndex(mediaType)) {
      return new FetchedManifest.Index(
          digest, mediaType, bytes, ImageJson.read(bytes, ImageIndex.class, what));
    }
    if (MediaTypes.isManifest(mediaType)) {
      return new FetchedManifest.Image(
          digest, mediaType, bytes, ImageJson.read(bytes, ImageManifest.class, what));
    }
    throw new BerthException.InvalidArgument(
        ref.familiar() + " is a " + mediaType + ", not an image Berth can run "
            + "(schema 1 manifests and other artifacts are not supported)");
  }
}
