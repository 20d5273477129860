package dev.berth.engine.image.registry;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.Descriptor;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.registry.RegistryClient.PushOutcome;
import dev.berth.engine.image.registry.RegistryTransport.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

/**
 * Push to a registry (never to a mirror): blobs checked for, mounted from another repository
 * or uploaded in one piece from the {@link ContentStore}, then the manifest put under its tag.
 */
final class RegistryPush {
  private final RegistryTransport transport;

  RegistryPush(RegistryTransport transport) {
    this.transport = transport;
  }

  boolean blobExists(Reference ref, Digest digest) {
    Endpoint target = transport.target(ref);
    URI uri = target.uri("blobs/" + digest);
    try (Reply response = transport.exchange(target, RegistryTransport.pushScope(ref, null),
        () -> transport.request(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()))) {
      return switch (response.status()) {
        case 200 -> true;
        case 404 -> false;
        default -> throw transport.failure(response, target, "blob " + digest + " in " + ref.name());
      };
    }
  }

  PushOutcome pushBlob(Reference ref, Descriptor descriptor, ContentStore store, String mountFrom) {
    Digest digest = descriptor.digest();
    if (blobExists(ref, digest)) {
      return PushOutcome.ALREADY_EXISTS;
    }
    Endpoint target = transport.target(ref);
    String what = "upload of blob " + digest + " to " + ref.name();
    List<String> scopes = RegistryTransport.pushScope(ref, mountFrom);
    URI start = target.uri("blobs/uploads/" + (mountFrom != null
        ? "?mount=" + RegistryTransport.encode(digest.toString()) + "&from=" + RegistryTransport.encode(mountFrom) : ""));
    URI location;
    try (Reply response =
        transport.exchange(target, scopes, () -> transport.request(start).POST(HttpRequest.BodyPublishers.noBody()))) {
      if (response.status() == 201 && mountFrom != null) {
        return PushOutcome.MOUNTED;
      }
      if (response.status() != 202) {
        throw transport.failure(response, target, what);
      }
      location = uploadLocation(start, response, what);
    }
    URI put = URI.create(location + (location.getRawQuery() == null ? "?" : "&")
        + "digest=" + RegistryTransport.encode(digest.toString()));
    long size = descriptor.size();
    try (Reply response =
        transport.exchange(target, scopes, () -> transport.request(put)
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> openBlob(store, digest)), size)))) {
      if (response.status() != 201) {
        throw transport.failure(response, target, what);
      }
    }
    return PushOutcome.UPLOADED;
  }

  Digest pushManifest(Reference ref, String mediaType, byte[] bytes) {
    Endpoint target = transport.target(ref);
    Digest digest = Digest.of(bytes);
    if (ref.digest() != null && !ref.digest().equals(digest)) {
      throw RegistryTransport.mismatch("manifest for " + ref.familiar(), ref.digest(), digest);
    }
    String name = ref.tag() != null ? ref.tag() : digest.toString();
    URI uri = target.uri("manifests/" + name);
    try (Reply response =
        transport.exchange(target, RegistryTransport.pushScope(ref, null), () -> transport.request(uri)
            .header("Content-Type", mediaType)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)))) {
      if (response.status() != 201) {
        throw transport.failure(response, target, "push of manifest " + ref.familiar());
      }
    }
    return digest;
  }

  private static InputStream openBlob(ContentStore store, Digest digest) {
    try {
      return store.open(digest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static URI uploadLocation(URI start, Reply response, String what) {
    String location = response.headers().firstValue("Location").orElseThrow(
        () -> new BerthException.Unavailable(what + " failed: the registry sent no Location"));
    return start.resolve(location);
  }
}
