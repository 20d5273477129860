package dev.berth.daemon.cri;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cri.api.v1.FilesystemIdentifier;
import dev.berth.cri.api.v1.FilesystemUsage;
import dev.berth.cri.api.v1.ImageFsInfoRequest;
import dev.berth.cri.api.v1.ImageFsInfoResponse;
import dev.berth.cri.api.v1.ImageServiceGrpc;
import dev.berth.cri.api.v1.ImageSpec;
import dev.berth.cri.api.v1.ImageStatusRequest;
import dev.berth.cri.api.v1.ImageStatusResponse;
import dev.berth.cri.api.v1.Int64Value;
import dev.berth.cri.api.v1.ListImagesRequest;
import dev.berth.cri.api.v1.ListImagesResponse;
import dev.berth.cri.api.v1.PullImageRequest;
import dev.berth.cri.api.v1.PullImageResponse;
import dev.berth.cri.api.v1.RemoveImageRequest;
import dev.berth.cri.api.v1.RemoveImageResponse;
import dev.berth.cri.api.v1.UInt64Value;
import dev.berth.daemon.http.Json;
import dev.berth.engine.BerthException;
import dev.berth.engine.Engine;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImagePuller;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.Platform;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.registry.BasicCredentials;
import dev.berth.engine.image.registry.RegistryClient;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/** The CRI's ImageService over the engine's images: the same store the Docker API sees. */
final class CriImageService extends ImageServiceGrpc.ImageServiceImplBase {
  private final Engine engine;
  private final ImageService images;

  CriImageService(Engine engine) {
    this.engine = engine;
    this.images = engine.images();
  }

  @Override
  public void listImages(ListImagesRequest request, StreamObserver<ListImagesResponse> out) {
    CriErrors.unary(out, () -> {
      String wanted = request.hasFilter() ? request.getFilter().getImage().getImage() : "";
      List<Image> list = wanted.isEmpty() ? images.list() : images.lookup(wanted).stream().toList();
      return ListImagesResponse.newBuilder().addAllImages(list.stream().map(CriImageService::image).toList()).build();
    });
  }

  /** A missing image is an empty answer, not an error: kubelet asks before it pulls. */
  @Override
  public void imageStatus(ImageStatusRequest request, StreamObserver<ImageStatusResponse> out) {
    CriErrors.unary(out, () -> {
      Optional<Image> found = images.lookup(imageName(request.getImage()));
      ImageStatusResponse.Builder answer = ImageStatusResponse.newBuilder();
      found.ifPresent(image -> {
        answer.setImage(image(image));
        if (request.getVerbose()) {
          answer.putInfo("info", verboseInfo(image));
        }
      });
      return answer.build();
    });
  }

  @Override
  public void pullImage(PullImageRequest request, StreamObserver<PullImageResponse> out) {
    CriErrors.unary(out, () -> {
      Reference ref = Reference.parse(imageName(request.getImage()));
      Optional<BasicCredentials> credentials = CriAuth.credentials(request.hasAuth() ? request.getAuth() : null);
      try (RegistryClient client = engine.registry(domain -> domain.equals(ref.domain()) ? credentials : Optional.empty())) {
        ImagePuller.Result pulled = new ImagePuller(images).pull(client, ref, Platform.DEFAULT, event -> {});
        return PullImageResponse.newBuilder().setImageRef(pulled.image().id().toString()).build();
      }
    });
  }

  /** Idempotent: an image that is not there is removed already. Every name of the image goes, as with containerd. */
  @Override
  public void removeImage(RemoveImageRequest request, StreamObserver<RemoveImageResponse> out) {
    CriErrors.unary(out, () -> {
      Optional<Image> found = images.lookup(imageName(request.getImage()));
      if (found.isPresent()) {
        try {
          images.remove(found.get().id().toString(), true);
        } catch (BerthException.NotFound goneMeanwhile) {
          // removed by a concurrent call: the outcome the caller wants
        }
      }
      return RemoveImageResponse.getDefaultInstance();
    });
  }

  /** The image store's file systems: unpacked layers and blobs under the data-root, bytes and inodes used. */
  @Override
  public void imageFsInfo(ImageFsInfoRequest request, StreamObserver<ImageFsInfoResponse> out) {
    CriErrors.unary(out, () -> {
      Path root = engine.config().dataRoot();
      Usage usage = Usage.of(root.resolve("layers")).plus(Usage.of(root.resolve("content")));
      FilesystemUsage fs = FilesystemUsage.newBuilder()
          .setTimestamp(System.currentTimeMillis() * 1_000_000L)
          .setFsId(FilesystemIdentifier.newBuilder().setMountpoint(root.resolve("layers").toString()))
          .setUsedBytes(UInt64Value.newBuilder().setValue(usage.bytes()))
          .setInodesUsed(UInt64Value.newBuilder().setValue(usage.inodes()))
          .build();
      return ImageFsInfoResponse.newBuilder().addImageFilesystems(fs).build();
    });
  }

  static String imageName(ImageSpec spec) {
    String name = spec.getImage().strip();
    if (name.isEmpty()) {
      throw new BerthException.InvalidArgument("an image is required: ImageSpec.image is empty");
    }
    return name;
  }

  /** An image as the CRI shows it: full names (docker.io/library/busybox:latest), as containerd does. */
  static dev.berth.cri.api.v1.Image image(Image image) {
    dev.berth.cri.api.v1.Image.Builder b = dev.berth.cri.api.v1.Image.newBuilder()
        .setId(image.id().toString())
        .addAllRepoTags(image.repoTags().stream().map(Reference::toString).toList())
        .addAllRepoDigests(image.repoDigests().stream().map(r -> r.name() + "@" + r.digest()).distinct().toList())
        .setSize(image.size())
        .setSpec(ImageSpec.newBuilder().setImage(image.id().toString()));
    String user = image.config().config() == null || image.config().config().user() == null
        ? "" : image.config().config().user();
    String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
    if (name.matches("\\d+")) {
      b.setUid(Int64Value.newBuilder().setValue(Long.parseLong(name)));
    } else if (!name.isEmpty()) {
      b.setUsername(name);
    }
    return b.build();
  }

  /** containerd's verbose info: the chain ID and the image config (the OCI image spec) as JSON. */
  private static String verboseInfo(Image image) {
    ObjectNode info = Json.MAPPER.createObjectNode();
    if (!image.layers().isEmpty()) {
      info.put("chainID", image.layers().getLast().chainId());
    }
    try {
      JsonNode config = Json.MAPPER.readTree(image.configBytes());
      info.set("imageSpec", config);
      return Json.MAPPER.writeValueAsString(info);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes of regular files and the number of entries under a directory. */
  record Usage(long bytes, long inodes) {
    static Usage of(Path dir) {
      if (!Files.isDirectory(dir)) {
        return new Usage(0, 0);
      }
      long[] sums = new long[2];
      try {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            sums[1]++;
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            sums[1]++;
            if (attrs.isRegularFile()) {
              sums[0] += attrs.size();
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // removed while we walked
          }
        });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Usage(sums[0], sums[1]);
    }

    Usage plus(Usage other) {
      return new Usage(bytes + other.bytes, inodes + other.inodes);
    }
  }
}
